"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException

from teleframe.db.engine import dependency_unavailable

__all__ = ["dependency_unavailable", "from_http_exception", "problem", "service_unavailable"]

PROBLEM_TYPE_BASE = "https://teleframe.dev/problems/"


def problem(
    status: int, detail: str | None = None, *, errors: Any = None, **extra: Any
) -> Response:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + phrase.lower().replace(" ", "-"),
        "title": phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _field_errors(messages: Any) -> Any:
    """webargs nests errors under the location ("json"); callers want the fields."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "view_args"}:
        merged: dict[str, Any] = {}
        for value in messages.values():
            merged.update(value if isinstance(value, dict) else {"_schema": value})
        return merged
    return messages


def from_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data.get("errors") or data.get("messages"))
    detail = data.get("message") or (error.description if status < 500 else None)
    if status == 422 and errors and not data.get("message"):
        detail = "The request body has invalid fields; see errors."
    response = problem(status, detail, errors=errors)
    for name, value in error.get_headers():  # Allow on a 405 (RFC 9110), Retry-After, ...
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.response is not None and error.response.headers.get("Allow"):
        response.headers["Allow"] = error.response.headers["Allow"]
    return response


def service_unavailable(retry_after: int) -> Response:
    response = problem(503, "A service teleframe depends on is unavailable; retry shortly.")
    response.headers["Retry-After"] = str(retry_after)
    return response
