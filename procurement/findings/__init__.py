"""Stored findings of every audit (tender documents, finance audit runs) and their lifecycle."""
