"""Keyset pages: the rows after a cursor row, in a stable order, and whether more follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session


def after(
    session: Session,
    query: Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    cursor: Any | None,
    limit: int,
) -> tuple[list[Any], bool]:
    """Up to `limit` rows of `query` after the row `cursor` (None: from the start) in `order`
    (ascending; the last column unique, such as the id)."""
    if cursor is not None:
        position = tuple(getattr(cursor, column.key) for column in order)
        query = query.where(tuple_(*order) > tuple_(*position))
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    return rows[:limit], len(rows) > limit
