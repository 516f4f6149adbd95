"""A practice's video-platform integrations: creation, which are listed, changes, secret rotation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from teleframe.models import Integration
from teleframe.operations.delivery import new_secret
from teleframe.services import secret_rotation

MADE_HERE = "standard"  # the one provider whose secret teleframe makes (whsec_)


class SecretRequired(Exception):
    """Every provider but `standard` signs with a secret of its own, which must be given."""


def _secret(provider: str, given: str | None) -> tuple[str, str | None]:
    """The secret to keep, and the one to show once (only when teleframe made it)."""
    if given is not None:
        return given, None
    if provider != MADE_HERE:
        raise SecretRequired
    made = new_secret()
    return made, made


def create(
    session: Session, practice_id: uuid.UUID, data: dict[str, Any], now: datetime
) -> tuple[Integration, str | None]:
    secret, made = _secret(data["provider"], data.get("secret"))
    integration = Integration(
        id=uuid.uuid4(),
        practice_id=practice_id,
        provider=data["provider"],
        secret=secret,
        label=data.get("label", ""),
        created_at=now,
    )
    session.add(integration)
    return integration, made


def listing(practice_id: uuid.UUID) -> Select[Integration]:
    return select(Integration).where(Integration.practice_id == practice_id)


def change(integration: Integration, data: dict[str, Any], now: datetime) -> None:
    """Apply a validated PATCH: the label, or enabled (false: its hooks answer 410)."""
    if "label" in data:
        integration.label = data["label"]
    if data.get("enabled") is False and integration.disabled_at is None:
        integration.disabled_at = now
    elif data.get("enabled") is True:
        integration.disabled_at = None


def rotate(
    integration: Integration, given: str | None, overlap: timedelta, now: datetime
) -> str | None:
    """The new secret (given, or made for `standard`, then returned to be shown once); hooks
    signed with the old one are accepted for `overlap`."""
    secret, made = _secret(integration.provider, given)
    secret_rotation.rotate(integration, secret, now, overlap)
    return made
