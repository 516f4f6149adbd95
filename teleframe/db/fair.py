"""Claims that take work round-robin across practices, so one practice's backlog cannot
starve another's: the first waiting row of every practice, then every practice's second, ...

Two steps, because PostgreSQL allows no row locks beside a window function: rank the waiting
rows by their turn within their practice, then lock the chosen ones with SKIP LOCKED (rows a
concurrent worker took meanwhile are skipped; it will finish them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


def fair_ids(
    session: Session,
    model: Any,
    waiting: Sequence[ColumnElement[bool]],
    oldest_first: Any,
    limit: int,
) -> list[uuid.UUID]:
    """Ids of up to `limit` waiting rows: turn 1 of every practice (oldest practice's row
    first), then turn 2, ... Each practice's own rows stay oldest first."""
    turn = func.row_number().over(partition_by=model.practice_id, order_by=oldest_first)
    ranked = select(model.id, oldest_first.label("age"), turn.label("turn")).where(*waiting)
    ranked_sub = ranked.subquery()
    query = (
        select(ranked_sub.c.id)
        .where(ranked_sub.c.turn <= limit)
        .order_by(ranked_sub.c.turn, ranked_sub.c.age)
        .limit(limit)
    )
    return list(session.scalars(query))


def lock_in_order(
    session: Session,
    model: type[T],
    ids: Sequence[uuid.UUID],
    waiting: Sequence[Any],
    *options: Any,
) -> list[T]:
    """The rows among `ids` still waiting, locked (SKIP LOCKED), in the order of `ids`."""
    if not ids:
        return []
    rows = session.scalars(
        select(model)
        .where(model.id.in_(ids), *waiting)  # type: ignore[attr-defined]
        .options(*options)
        .with_for_update(skip_locked=True)
    ).all()
    place = {key: index for index, key in enumerate(ids)}
    return sorted(rows, key=lambda row: place[row.id])  # type: ignore[attr-defined]


def claim_fair(
    session: Session,
    model: type[T],
    waiting: Sequence[ColumnElement[bool]],
    oldest_first: Any,
    limit: int,
    *,
    first: uuid.UUID | None = None,
    options: Sequence[Any] = (),
) -> list[T]:
    """Lock up to `limit` waiting rows fairly; `first` (the row a task was sent for) leads."""
    leading = lock_in_order(session, model, [first], waiting, *options) if first else []
    if limit <= len(leading):
        return leading
    others = list(waiting)
    if first is not None:
        others.append(model.id != first)  # type: ignore[attr-defined]
    ids = fair_ids(session, model, others, oldest_first, limit - len(leading))
    return [*leading, *lock_in_order(session, model, ids, waiting, *options)]
