"""Contracts, their terms as rows, and the append-only performance events."""
