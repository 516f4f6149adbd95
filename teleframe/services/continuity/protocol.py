"""The disruption protocol: when the backup plan falls due and when to suggest rescheduling."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from teleframe.services.continuity.records import BackupPlan, Continuity, Outage


@dataclass(frozen=True)
class Protocol:
    reconnect_wait_seconds: int = 60
    backup_plan_due_after_seconds: int = 120
    suggest_reschedule_after_seconds: int = 900

    def __post_init__(self) -> None:
        for item in fields(self):
            if getattr(self, item.name) < 0:
                raise ValueError(f"disruption.{item.name} cannot be negative")

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Protocol:
        disruption = policy.get("disruption") or {}
        given = {
            item.name: int(disruption[item.name])
            for item in fields(cls)
            if disruption.get(item.name) is not None
        }
        return cls(**given)


def due_actions(continuity: Continuity, protocol: Protocol, *, now: datetime) -> list[str]:
    """What the disruption protocol calls for now: `backup_plan.due`, `reschedule.suggested`."""
    if continuity.ended_at is not None:
        return []
    actions = []
    lost = continuity.total_outage_seconds
    outage = continuity.open_outage
    if outage is not None:
        waited = max(0.0, (now - outage.start_at).total_seconds())
        lost += int(waited) - outage.seconds
        invoked = continuity.backup_plan.invoked_at
        answered = invoked is not None and invoked >= outage.start_at
        if waited >= protocol.backup_plan_due_after_seconds and not answered:
            actions.append("backup_plan.due")
    if lost >= protocol.suggest_reschedule_after_seconds:
        actions.append("reschedule.suggested")
    return actions


def backup_plan(
    outages: tuple[Outage, ...], invocations: list[datetime], protocol: Protocol
) -> BackupPlan:
    threshold = protocol.backup_plan_due_after_seconds
    due = next((outage for outage in outages if outage.seconds >= threshold), None)
    if due is None:
        return BackupPlan(None, min(invocations, default=None), None)
    answered = [at for at in invocations if at >= due.start_at]
    invoked_at = min(answered, default=None)
    return BackupPlan(
        due.start_at + timedelta(seconds=threshold), invoked_at, invoked_at is not None
    )


def reschedule_at(outages: tuple[Outage, ...], protocol: Protocol) -> datetime | None:
    remaining = protocol.suggest_reschedule_after_seconds
    for outage in outages:
        if outage.seconds >= remaining:
            return outage.start_at + timedelta(seconds=remaining)
        remaining -= outage.seconds
    return None
