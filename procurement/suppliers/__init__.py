"""Suppliers: identity, the figures that decide their size, and their SME declaration."""
