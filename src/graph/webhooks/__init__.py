"""Webhook subscriptions, outbox events and deliveries through the API (X3)."""
