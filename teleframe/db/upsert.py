"""INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite: no pre-check, pipelined."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_new(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> None:
    """Insert `rows`, skipping any that would repeat the `unique` columns of a stored row."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    # Core executemany over the table (the rows name its columns): one short statement that
    # the driver caches and pipelines. The ORM's multi-row VALUES built per batch cost a
    # quarter of the evaluation worker's time in the profile (README, "Benchmarks").
    session.execute(
        insert(model.__table__).on_conflict_do_nothing(index_elements=unique), list(rows)
    )
