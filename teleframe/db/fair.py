"""Claims that take work round-robin across practices, so one practice's backlog cannot
starve another's: the first waiting row of every practice, then every practice's second, ...

Two steps, because PostgreSQL allows no row locks beside a window function: rank the waiting
rows by their turn within their practice, then lock the chosen ones with SKIP LOCKED (rows a
concurrent worker took meanwhile are skipped; it will finish them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


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
    return in_order(rows, ids)


def in_order(rows: Sequence[T], ids: Sequence[uuid.UUID]) -> list[T]:
    """`rows` sorted as their ids are in `ids` (the claim's fair order)."""
    place = {key: index for index, key in enumerate(ids)}
    return sorted(rows, key=lambda row: place[row.id])  # type: ignore[attr-defined]


class FairClaim(Generic[T]):
    """Locks up to `limit` waiting rows fairly, the row a task was sent for (`first`) leading.

    Built once per kind of work with its `waiting` criteria written over bind parameters (the
    values come with each claim): building the two statements anew cost about a fifth of a
    small round's CPU in the profile (README, "Benchmarks")."""

    def __init__(
        self,
        model: type[T],
        waiting: Sequence[ColumnElement[bool]],
        oldest_first: Any,
        options: Sequence[Any] = (),
    ) -> None:
        key: Any = model.id  # type: ignore[attr-defined]
        turn = func.row_number().over(
            partition_by=model.practice_id,  # type: ignore[attr-defined]
            order_by=oldest_first,
        )
        ranked = (
            select(key, oldest_first.label("age"), turn.label("turn"))
            .where(*waiting, key != bindparam("not_first"))
            .subquery()
        )
        # turn 1 of every practice (oldest practice's row first), then turn 2, ...; each
        # practice's own rows stay oldest first
        self._ids = (
            select(ranked.c.id)
            .where(ranked.c.turn <= bindparam("limit"))
            .order_by(ranked.c.turn, ranked.c.age)
            .limit(bindparam("limit"))
        )
        self._lock = (
            select(model)
            .where(key.in_(bindparam("ids", expanding=True)), *waiting)
            .options(*options)
            .with_for_update(skip_locked=True)
        )

    def claim(
        self,
        session: Session,
        limit: int,
        values: dict[str, Any],
        first: uuid.UUID | None = None,
    ) -> list[T]:
        """`values` binds the waiting criteria's parameters."""
        leading = self._locked(session, [first], values) if first else []
        if limit <= len(leading):
            return leading
        ids = list(
            session.scalars(
                self._ids,
                {**values, "limit": limit - len(leading), "not_first": first or NO_ROW},
            )
        )
        return [*leading, *self._locked(session, ids, values)]

    def _locked(self, session: Session, ids: list[uuid.UUID], values: dict[str, Any]) -> list[T]:
        """The rows among `ids` still waiting, locked (SKIP LOCKED), in the order of `ids`."""
        if not ids:
            return []
        return in_order(session.scalars(self._lock, {**values, "ids": ids}).all(), ids)


NO_ROW = uuid.UUID(int=0)  # `first` when a claim has none: no row has this id
