"""The continuity record and its parts, as folded and as serialised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teleframe.services.moments import rfc3339
from teleframe.services.providers import parse_time


@dataclass(frozen=True)
class Outage:
    start_at: datetime
    end_at: datetime | None  # None while contact is still lost
    seconds: int  # so far, for an open outage: up to the latest event
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_at": rfc3339(self.start_at),
            "end_at": _time(self.end_at),
            "seconds": self.seconds,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outage:
        return cls(
            parse_time(data["start_at"]), _parsed(data["end_at"]), data["seconds"], data["reason"]
        )


@dataclass(frozen=True)
class ModalitySegment:
    modality: str
    start_at: datetime
    end_at: datetime | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "modality": self.modality,
            "start_at": rfc3339(self.start_at),
            "end_at": _time(self.end_at),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModalitySegment:
        return cls(
            data["modality"], parse_time(data["start_at"]), _parsed(data["end_at"]), data["reason"]
        )


@dataclass(frozen=True)
class BackupPlan:
    due_at: datetime | None
    invoked_at: datetime | None
    followed: bool | None  # None when it never fell due


@dataclass(frozen=True)
class Billing:
    modifier: str | None
    audio_only_reason: str | None


@dataclass(frozen=True)
class Continuity:
    started_at: datetime | None
    ended_at: datetime | None
    drops: int
    outages: tuple[Outage, ...]
    effective_contact_seconds: float
    modality_segments: tuple[ModalitySegment, ...]
    backup_plan: BackupPlan
    reschedule_suggested_at: datetime | None
    billing: Billing
    events_after_signature: int
    event_count: int
    summary: str

    @property
    def total_outage_seconds(self) -> int:
        return sum(outage.seconds for outage in self.outages)

    @property
    def longest_outage_seconds(self) -> int:
        return max((outage.seconds for outage in self.outages), default=0)

    @property
    def open_outage(self) -> Outage | None:
        last = self.outages[-1] if self.outages else None
        return last if last is not None and last.end_at is None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": _time(self.started_at),
            "ended_at": _time(self.ended_at),
            "drops": self.drops,
            "outages": [outage.to_dict() for outage in self.outages],
            "total_outage_seconds": self.total_outage_seconds,
            "longest_outage_seconds": self.longest_outage_seconds,
            "effective_contact_minutes": round(self.effective_contact_seconds / 60, 1),
            "modality_segments": [segment.to_dict() for segment in self.modality_segments],
            "backup_plan": {
                "due_at": _time(self.backup_plan.due_at),
                "invoked_at": _time(self.backup_plan.invoked_at),
                "followed": self.backup_plan.followed,
            },
            "reschedule_suggested_at": _time(self.reschedule_suggested_at),
            "billing": {
                "modifier": self.billing.modifier,
                "audio_only_reason": self.billing.audio_only_reason,
            },
            "events_after_signature": self.events_after_signature,
            "event_count": self.event_count,
            "summary": self.summary,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Continuity:
        """The stored record back (contact time to the tenth of a minute it was stored with)."""
        backup, billing = data["backup_plan"], data["billing"]
        return cls(
            started_at=_parsed(data["started_at"]),
            ended_at=_parsed(data["ended_at"]),
            drops=data["drops"],
            outages=tuple(Outage.from_dict(item) for item in data["outages"]),
            effective_contact_seconds=data["effective_contact_minutes"] * 60,
            modality_segments=tuple(
                ModalitySegment.from_dict(item) for item in data["modality_segments"]
            ),
            backup_plan=BackupPlan(
                _parsed(backup["due_at"]), _parsed(backup["invoked_at"]), backup["followed"]
            ),
            reschedule_suggested_at=_parsed(data["reschedule_suggested_at"]),
            billing=Billing(billing["modifier"], billing["audio_only_reason"]),
            events_after_signature=data["events_after_signature"],
            event_count=data["event_count"],
            summary=data["summary"],
        )


def _parsed(value: str | None) -> datetime | None:
    return parse_time(value) if value is not None else None


def _time(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None
