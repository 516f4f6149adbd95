"""Interstate compacts as reviewed data: professions, scope, and dated membership per state.

Read from `config/reference/compacts.yaml`; a practice's policy may override a compact
(`reference_overrides.compacts`), and the members it lists count as effective on its authority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

OVERRIDE_SOURCE = "practice override"
SCOPES = ("all_members", "per_state", "licensure_only")
STATUSES = ("effective", "unverified", "enacted")


@dataclass(frozen=True)
class Membership:
    status: str  # one of STATUSES
    effective_on: date | None
    source: str
    note: str | None = None

    def authorises_on(self, day: date) -> bool:
        return self.status == "effective" and (
            self.effective_on is None or self.effective_on <= day
        )

    def unverified(self) -> bool:
        return self.status == "unverified"


@dataclass(frozen=True)
class Compact:
    key: str
    full_name: str
    professions: frozenset[str]
    scope: str  # one of SCOPES
    operational: bool
    home_must_be_member: bool
    members: Mapping[str, Membership]

    @property
    def authorises_practice(self) -> bool:
        return self.operational and self.scope != "licensure_only"


def _source_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value else OVERRIDE_SOURCE


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _members(groups: Iterable[Mapping[str, Any]]) -> dict[str, Membership]:
    members: dict[str, Membership] = {}
    for group in groups:
        membership = Membership(
            status=str(group["status"]),
            effective_on=_day(group.get("effective_on")),
            source=_source_text(group.get("source")),
            note=group.get("note"),
        )
        members.update(dict.fromkeys((str(code) for code in group["jurisdictions"]), membership))
    return members


def _overridden_members(codes: Iterable[str]) -> dict[str, Membership]:
    """A practice's own member list: each counts as effective, on the practice's authority."""
    return {str(code): Membership("effective", None, OVERRIDE_SOURCE) for code in codes}


def _compact(key: str, entry: Mapping[str, Any], override: Mapping[str, Any]) -> Compact:
    members = _members(entry.get("members") or ())
    if "members" in override:
        members = _overridden_members(override["members"])
    merged = {**entry, **{k: v for k, v in override.items() if k != "members"}}
    return Compact(
        key=key,
        full_name=str(merged.get("full_name", key)),
        professions=frozenset(str(p) for p in merged.get("professions") or ()),
        scope=str(merged.get("scope", "all_members")),
        operational=bool(merged.get("operational", True)),
        home_must_be_member=bool(merged.get("home_must_be_member", True)),
        members=members,
    )


def compacts_from(doc: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Compact]:
    shipped = dict(doc.get("compacts") or {})
    keys = list(shipped) + [key for key in overrides if key not in shipped]
    return {
        key: _compact(key, shipped.get(key, {"full_name": key}), overrides.get(key, {}))
        for key in keys
    }
