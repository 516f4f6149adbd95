"""What is known before any rule runs: the caller's facts about the session and clinician, and
the facts derived from the check-in that every result records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..policy import CompiledPolicy
from ..reference import ReferenceData


@dataclass(frozen=True)
class LicenceFacts:
    jurisdiction: str
    kind: str
    number: str
    expires_on: date | None
    profession: str | None = None  # as stated on the licence; else the kind's default
    compact: str | None = None  # set on a per-state compact privilege, not a state licence


@dataclass(frozen=True)
class ClinicianFacts:
    home_jurisdiction: str | None
    licenses: tuple[LicenceFacts, ...]
    compacts: tuple[str, ...]


@dataclass(frozen=True)
class SessionFacts:
    scheduled_start: datetime
    scheduled_end: datetime
    client_date_of_birth: date | None


def section(checkin: dict[str, Any], name: str) -> dict[str, Any]:
    """One section of the check-in; a missing or malformed one reads as unanswered."""
    value = checkin.get(name)
    return value if isinstance(value, dict) else {}


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def location_codes(location: dict[str, Any]) -> tuple[str | None, str | None]:
    country, subdivision = location.get("country"), location.get("subdivision")
    if subdivision and not country:
        country = subdivision.split("-")[0]
    return country or None, subdivision or None


def _jurisdiction(
    country: str | None, subdivision: str | None, per_subdivision: frozenset[str]
) -> str | None:
    """Whose licensing law applies; None when the answers do not say (or disagree)."""
    if subdivision and country and subdivision.split("-")[0] == country:
        return subdivision
    if country and country not in per_subdivision and not subdivision:
        return country
    return None


def base_facts(
    checkin: dict[str, Any],
    session: SessionFacts,
    policy: CompiledPolicy,
    reference: ReferenceData,
    submitted_at: datetime,
    country: str | None,
    subdivision: str | None,
) -> dict[str, Any]:
    start = utc(session.scheduled_start)
    place = section(checkin, "location").get("place_type")
    born = session.client_date_of_birth
    return {
        "jurisdiction": _jurisdiction(country, subdivision, policy.licensed_by_subdivision),
        "covered_by": None,
        "place_type": place,
        "place_of_service": None if not place else ("10" if place == "home" else "02"),
        "emergency": reference.emergency_for(country, subdivision),
        "reference_reviewed_on": reference.reviewed_on,
        "minor_client": None
        if born is None
        else _age_on(born, start.date()) < policy.age_of_majority,
        "minutes_before_start": int((start - submitted_at).total_seconds() // 60),
        "policy_hash": policy.policy_hash,
    }
