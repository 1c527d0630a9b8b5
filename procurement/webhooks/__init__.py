"""Webhook subscriptions and the delivery of outbox events to them (Standard Webhooks, at least once)."""
