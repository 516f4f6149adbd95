"""`Idempotency-Key` on the creating POSTs a platform may retry after a timeout or a 5xx.

The same key and request give the first answer again (status, body, Location), marked
`Idempotent-Replayed: true`; the same key with another request is a 422. The key row, the
effect and the answer commit in one transaction, so there is never an effect without its answer
or the reverse. Without the header the view runs as before; either way this commits.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from flask import Response, json, request
from flask_smorest import abort

from teleframe.api.auth import current_practice_id
from teleframe.errors import problem
from teleframe.extensions import db
from teleframe.operations import idempotency
from teleframe.services.idempotency import request_digest, valid_key

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_KEPT_HEADERS = ("Location",)


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Outermost decorator of a creating view that flushes (never commits) its effect."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return _committed(view, None, args, kwargs)
        if not valid_key(key):
            abort(422, errors={HEADER: ["Use 1 to 255 visible ASCII characters."]})
        digest = request_digest(request.method, request.path, request.get_data())
        claimed = idempotency.claim(db.session, current_practice_id(), key, digest)
        if claimed is None:
            return _replay(key, digest)
        return _committed(view, claimed, args, kwargs)

    wrapper._apidoc = _documented(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
    return wrapper


def _documented(apidoc: dict[str, Any]) -> dict[str, Any]:
    """The header in the OpenAPI document, beside the view's own parameters."""
    documented = copy.deepcopy(apidoc)
    manual = documented.setdefault("manual_doc", {})
    manual.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "description": "Send a retry with the same key to get the first answer again "
            "(kept 24 h); the same key with another request answers 422.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        }
    )
    return documented


def _committed(view: Callable[..., Response], claimed: Any, args: Any, kwargs: Any) -> Response:
    try:
        response = view(*args, **kwargs)
        if claimed is not None and response.status_code < 400:
            idempotency.answer(db.session, claimed, response.status_code, _recorded(response))
        db.session.commit()
    except BaseException:
        db.session.rollback()  # frees the key for a retry: nothing was done
        raise
    return response


def _recorded(response: Response) -> dict[str, Any]:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    return {"body": response.get_json(silent=True), "headers": headers}


def _replay(key: str, digest: str) -> Response:
    row = idempotency.stored(db.session, current_practice_id(), key)
    db.session.rollback()
    if row is not None and row.request_hash != digest:
        return problem(
            422,
            "This Idempotency-Key was used for a different request.",
            errors={HEADER: ["Already used with another body or path; use a new key."]},
        )
    if row is None or row.status is None or row.response is None:
        return problem(409, "A request with this Idempotency-Key is in progress; retry shortly.")
    response = Response(
        json.dumps(row.response["body"]), status=row.status, mimetype="application/json"
    )
    response.headers.update(row.response["headers"])
    response.headers[REPLAYED] = "true"
    return response
