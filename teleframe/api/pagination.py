"""Cursor pagination for every list route: `limit`, an opaque `cursor`, and a
`Link: <...>; rel="next"` header (RFC 8288) while more items follow.

A cursor is the position after the last item of a page (its sort key), signed with the app's
secret key (itsdangerous) and bound to the practice and the path it was made for: a forged,
altered or foreign cursor is a 422 with a field message, never a 500 or another practice's
rows. Keyset positions, not offsets, so rows added while a caller walks the pages neither
repeat nor go missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

from flask import current_app, g, request
from flask_smorest import abort
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import Schema, fields, validate
from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SALT = "teleframe.page-cursor"
Key = tuple[Any, ...]

LINK = {
    "Link": {
        "description": 'RFC 8288 `<...>; rel="next"` while more items follow; absent on the last page',
        "schema": {"type": "string"},
    }
}


class PageArgsSchema(Schema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"items per page (default {DEFAULT_LIMIT})"},
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=600),
        metadata={"description": 'opaque: copy it from the previous page\'s `Link: rel="next"`'},
    )


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)  # type: ignore[arg-type]


def _scope() -> list[str]:
    return [str(g.practice_id), request.path]


def _refuse() -> NoReturn:
    abort(422, errors={"cursor": ["Not a cursor this list gave out; start again without one."]})
    raise AssertionError("abort() raises")


def _loaded(value: Any, kind: type) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is int and type(value) is int:
        return value
    raise ValueError(kind)


def _dumped(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value if type(value) is int else str(value)


def _python_type(column: InstrumentedAttribute[Any]) -> type:
    # a TypeDecorator (UTCDateTime) says `object`; the type it decorates knows
    return getattr(column.type, "impl", column.type).python_type


def position(args: dict[str, Any], kinds: Sequence[type]) -> Key | None:
    """The sort key the page starts after, or None for the first page."""
    token = args.get("cursor")
    if token is None:
        return None
    try:
        scope, values = _serializer().loads(token)
        if scope != _scope() or len(values) != len(kinds):
            _refuse()
        return tuple(_loaded(value, kind) for value, kind in zip(values, kinds, strict=True))
    except (BadData, ValueError, TypeError):
        _refuse()


def answer(rows: list[T], more: bool, key: Callable[[T], Key], shown: Any = None) -> Any:
    """The page as flask-smorest returns it: `shown` (default: the rows), and a Link header
    to the next page when more follow. Other query arguments (filters, limit) are kept."""
    shown = rows if shown is None else shown
    if not more or not rows:
        return shown
    token = _serializer().dumps([_scope(), [_dumped(value) for value in key(rows[-1])]])
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "after")]
    following = f"{request.script_root}{request.path}?{urlencode([*kept, ('cursor', token)])}"
    return shown, {"Link": f'<{following}>; rel="next"'}


def page(
    session: Session,
    query: Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    args: dict[str, Any],
    *,
    descending: bool = False,
    start: Key | None = None,
) -> tuple[list[Any], bool]:
    """Up to `limit` rows of `query` in `order` (all ascending or all descending; the last
    column unique, such as the id) after the cursor or `start`, and whether more follow."""
    after = start or position(args, [_python_type(column) for column in order])
    if after is not None:
        row_key = tuple_(*order)
        query = query.where(row_key < tuple_(*after) if descending else row_key > tuple_(*after))
    ordering = [column.desc() for column in order] if descending else list(order)
    rows = list(session.scalars(query.order_by(*ordering).limit(args["limit"] + 1)))
    return rows[: args["limit"]], len(rows) > args["limit"]


def listed(
    session: Session, query: Select[Any], order: Sequence[Any], args: dict[str, Any], **how: Any
) -> Any:
    """A list route's whole answer: one page of `query`, with its Link header."""
    rows, more = page(session, query, order, args, **how)
    return answer(rows, more, row_key(order))


def row_key(order: Sequence[InstrumentedAttribute[Any]]) -> Callable[[Any], Key]:
    """A row's position in `order`, as a cursor records it."""
    names = [column.key for column in order]
    return lambda row: tuple(getattr(row, name) for name in names)
