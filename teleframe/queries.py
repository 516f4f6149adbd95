"""Reads scoped to the caller's practice: another practice's ids answer 404, never 403."""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask_smorest import abort
from sqlalchemy import select

from teleframe.auth import current_practice_id
from teleframe.extensions import db

M = TypeVar("M")


def get_scoped(model: type[M], object_id: uuid.UUID) -> M:
    row = db.session.scalars(
        select(model).where(
            model.id == object_id,  # type: ignore[attr-defined]
            model.practice_id == current_practice_id(),  # type: ignore[attr-defined]
        )
    ).first()
    if row is None:
        abort(404, message=f"No {model.__name__.lower()} with that id in this practice.")
    assert row is not None  # abort() raises; this tells the type checker so
    return row
