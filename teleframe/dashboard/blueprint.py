"""The /app blueprint every dashboard view module adds its routes to."""

from __future__ import annotations

from flask import Blueprint

blp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/app",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
