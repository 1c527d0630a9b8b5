"""Barrier audits of tender documents (measure 2): an uploaded document and the findings in it."""
