"""OCDS imports: a release package or JSON lines loaded idempotently into contracts."""
