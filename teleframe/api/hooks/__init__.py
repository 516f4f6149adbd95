"""Inbound video-platform webhooks: verify, deduplicate, store."""
