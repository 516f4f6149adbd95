"""The client's check-in page, reached by a one-time link (`/c/...`)."""
