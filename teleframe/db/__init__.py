"""Infrastructure over the database: the outbox, encryption at rest, audit rows, scoped queries.

Nothing here knows a domain rule; operations/ builds on it.
"""
