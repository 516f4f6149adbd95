"""People who sign in: users, their set-up links, sign-in sessions and personal tokens.

Database-bound use cases; the rules they apply live in `teleframe.services.accounts`.
"""
