"""The transactional outbox: events a platform cares about, written in the transaction of the change
that causes them and delivered later by the worker as signed webhooks (procurement.webhooks)."""
