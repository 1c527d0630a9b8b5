"""Idempotency keys: a retried POST returns the first response and creates nothing new."""
