"""Reviewed reference data: emergency numbers, crisis lines and compact membership.

The shipped files under `config/reference/` name their sources and review date. A practice may
override entries (its local PSAP number, a compact's current member list); overrides win.
Lookups are precomputed here so an evaluation only does dictionary reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

import config


def config_path(*parts: str) -> Path:
    """A file shipped in the `config` package (regular, namespace or editable install)."""
    for entry in config.__path__:
        candidate = Path(entry, *parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError("/".join(("config", *parts)))


OVERRIDE_SOURCE = "practice override"
_EMERGENCY_KEYS = ("emergency_number", "crisis_line", "source")


@dataclass(frozen=True)
class Compact:
    key: str
    full_name: str
    scope: str  # "all_members" | "per_state"
    home_must_be_member: bool
    members: frozenset[str]


@dataclass(frozen=True)
class ReferenceData:
    reviewed_on: str  # the older of the two files' review dates
    sources: Mapping[str, dict[str, Any]]
    emergency: Mapping[str, dict[str, Any]] = field(repr=False)
    compacts: Mapping[str, Compact] = field(repr=False)
    _aliases: Mapping[str, str] = field(repr=False)
    _covering: Mapping[str, frozenset[str]] = field(repr=False)

    def emergency_for(self, country: str | None, subdivision: str | None) -> dict[str, Any] | None:
        """The entry for the subdivision where it differs, else the country's; None if unknown."""
        entry = self.emergency.get(subdivision or "") or self.emergency.get(country or "")
        return dict(entry) if entry is not None else None

    def compacts_covering(self, jurisdiction: str | None) -> set[str]:
        return set(self._covering.get(jurisdiction or "", ()))

    def compact_key(self, name: str) -> str | None:
        """The compact a clinician's free-text compact name refers to ("PSYPACT", "Counseling Compact")."""
        return self._aliases.get(_normalise(name))


def _normalise(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _read(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        config_path("reference", name).read_text(encoding="utf-8")
    )
    return loaded


def _source_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value else OVERRIDE_SOURCE


def _emergency_table(
    doc: dict[str, Any], overrides: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for country, entry in (doc.get("countries") or {}).items():
        base = {key: entry.get(key) for key in _EMERGENCY_KEYS}
        base["source"] = _source_text(base["source"])
        table[str(country)] = base
        for code, sub in (entry.get("subdivisions") or {}).items():
            table[str(code)] = {**base, **{k: sub[k] for k in _EMERGENCY_KEYS if k in sub}}
    for code, entry in overrides.items():
        parent = table.get(str(code).split("-")[0], {}) if "-" in str(code) else {}
        merged = {**dict.fromkeys(_EMERGENCY_KEYS), **parent, **table.get(code, {}), **entry}
        merged["source"] = _source_text(entry.get("source", OVERRIDE_SOURCE))
        table[str(code)] = {key: merged[key] for key in _EMERGENCY_KEYS}
    return table


def _compacts(doc: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Compact]:
    raw = {key: dict(value) for key, value in (doc.get("compacts") or {}).items()}
    for key, entry in overrides.items():
        raw[key] = {**raw.get(key, {"full_name": key}), **entry}
    return {
        key: Compact(
            key=key,
            full_name=str(entry.get("full_name", key)),
            scope=str(entry.get("scope", "all_members")),
            home_must_be_member=bool(entry.get("home_must_be_member", True)),
            members=frozenset(str(m) for m in entry.get("members") or ()),
        )
        for key, entry in raw.items()
    }


def _aliases(doc: dict[str, Any], compacts: Mapping[str, Compact]) -> dict[str, str]:
    aliases = {_normalise(key): key for key in compacts}
    for key, entry in (doc.get("compacts") or {}).items():
        aliases.update({_normalise(alias): key for alias in entry.get("aliases") or ()})
    return aliases


def _covering(compacts: Mapping[str, Compact]) -> dict[str, frozenset[str]]:
    covering: dict[str, set[str]] = {}
    for compact in compacts.values():
        for member in compact.members:
            covering.setdefault(member, set()).add(compact.key)
    return {code: frozenset(keys) for code, keys in covering.items()}


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Any], dict[str, Any]]:
    return _read("emergency.yaml"), _read("compacts.yaml")


def load_reference(overrides: dict[str, Any] | None = None) -> ReferenceData:
    """Shipped reference data with a practice's overrides merged over it (cached per overrides).

    `overrides` is a policy's `reference_overrides`: `{"emergency": {"US-CA": {"emergency_number":
    ..., "crisis_line": ..., "source": ...}}, "compacts": {"PSYPACT": {"members": [...]}}}`.
    """
    return _load(json.dumps(overrides or {}, sort_keys=True))


@lru_cache(maxsize=64)
def _load(overrides_json: str) -> ReferenceData:
    overrides = json.loads(overrides_json)
    emergency_doc, compacts_doc = _shipped()
    compacts = _compacts(compacts_doc, overrides.get("compacts") or {})
    sources = {**emergency_doc.get("sources", {}), **compacts_doc.get("sources", {})}
    return ReferenceData(
        reviewed_on=min(str(emergency_doc["reviewed_on"]), str(compacts_doc["reviewed_on"])),
        sources=MappingProxyType(sources),
        emergency=MappingProxyType(
            _emergency_table(emergency_doc, overrides.get("emergency") or {})
        ),
        compacts=MappingProxyType(compacts),
        _aliases=MappingProxyType(_aliases(compacts_doc, compacts)),
        _covering=MappingProxyType(_covering(compacts)),
    )
