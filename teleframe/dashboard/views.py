"""Every dashboard view module, imported so their routes join the /app blueprint."""

from teleframe.dashboard import (
    account_views,
    admin_views,
    audit_views,
    practice_views,
    session_views,
    today_views,
    token_views,
)
from teleframe.dashboard.blueprint import blp

__all__ = [
    "account_views",
    "admin_views",
    "audit_views",
    "blp",
    "practice_views",
    "session_views",
    "today_views",
    "token_views",
]
