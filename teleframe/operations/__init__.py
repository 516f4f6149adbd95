"""Use cases that touch the database: each module loads rows, calls the pure rules in
services/, writes the result and stages follow-up work in the outbox.

The edges (api/, web/, workers/) call these; these call services/ and models/, never the edges.
"""
