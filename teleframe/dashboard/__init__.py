"""The clinicians' and practice admins' dashboard at /app: server-rendered, signed in."""
