"""A practice's settings, changed with an audit event that says what changed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleframe.db import audit
from teleframe.models import Practice

# Retention is mostly state law; APA's default is 7 years after the last service. The floor is
# HIPAA's six years for required documentation (§164.316(b)(2)(i)), which the signed frame
# report and its audit events are part of; 30 years covers the longest state rules.
RETENTION_YEARS = (6, 30)
SETTINGS = ("name", "retention_years")


def change(
    session: Session, practice_id: uuid.UUID, data: dict[str, Any], actor: audit.Actor
) -> Practice:
    """Apply a validated PATCH; one audit event lists each changed setting, old and new."""
    practice = session.scalars(
        select(Practice).where(Practice.id == practice_id).with_for_update()
    ).one()
    changes = {
        name: {"from": getattr(practice, name), "to": data[name]}
        for name in SETTINGS
        if name in data and data[name] != getattr(practice, name)
    }
    for name, values in changes.items():
        setattr(practice, name, values["to"])
    if changes:
        audit.record(
            session,
            actor,
            practice_id=practice_id,
            action="update",
            resource_type="practice",
            resource_id=practice_id,
            detail=changes,
        )
    return practice
