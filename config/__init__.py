"""Data, not code: default settings, policy packs and clause templates."""
