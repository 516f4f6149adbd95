"""Reads scoped to the caller's practice: another practice's ids answer 404, never 403."""

from __future__ import annotations

import re
import uuid
from typing import NoReturn, TypeVar

from flask_smorest import abort
from sqlalchemy import select

from teleframe.api.auth import current_practice_id
from teleframe.extensions import db

M = TypeVar("M")
_NAMES = {"TherapySession": "session", "CheckInLink": "check-in link"}


def not_found(what: str) -> NoReturn:
    abort(404, message=f"No {what} with that id in this practice.")
    raise AssertionError("abort() raises")


def noun(model: type[object]) -> str:
    name = model.__name__
    return _NAMES.get(name) or re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def get_scoped(model: type[M], object_id: uuid.UUID) -> M:
    row = db.session.scalars(
        select(model).where(
            model.id == object_id,  # type: ignore[attr-defined]
            model.practice_id == current_practice_id(),  # type: ignore[attr-defined]
        )
    ).first()
    if row is None:
        not_found(noun(model))
    return row
