"""The domain: models, services and mappings around contracts and audits."""
