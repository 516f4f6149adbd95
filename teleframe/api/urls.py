"""Absolute URLs handed to clients and platforms (check-in links, hook URLs).

Built from `TELEFRAME_PUBLIC_URL`, never from the request's Host header, which any caller
sets: `Host: evil.example` must not turn a client's link into a link to someone else's site.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for


def public_base() -> str:
    """The configured public URL; in embedded mode, loopback on the port that was reached."""
    settings = current_app.config["TELEFRAME_SETTINGS"]
    if settings.public_url:
        return str(settings.public_url).rstrip("/")
    port = request.environ.get("SERVER_PORT", "8000")
    return f"http://127.0.0.1:{port}"


def public_url_for(endpoint: str, **values: Any) -> str:
    return public_base() + url_for(endpoint, **values)
