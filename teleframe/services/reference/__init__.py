"""Reviewed reference data: professions, compacts, emergency numbers and crisis lines.

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
from types import MappingProxyType
from typing import Any

from .compacts import OVERRIDE_SOURCE, Compact, Membership, compacts_from
from .emergency import emergency_table, unreviewed
from .files import config_path, read_reference
from .professions import Vocabulary, normalise_kind, vocabulary

__all__ = [
    "OVERRIDE_SOURCE",
    "Compact",
    "Membership",
    "ReferenceData",
    "Vocabulary",
    "config_path",
    "load_reference",
    "normalise_kind",
    "vocabulary",
]

FILES = ("emergency.yaml", "compacts.yaml", "professions.yaml")


@dataclass(frozen=True)
class ReferenceData:
    reviewed_on: str  # the oldest of the files' review dates
    sources: Mapping[str, dict[str, Any]]
    emergency: Mapping[str, dict[str, Any]] = field(repr=False)
    compacts: Mapping[str, Compact] = field(repr=False)
    professions: Vocabulary = field(repr=False)
    _aliases: Mapping[str, str] = field(repr=False)

    def emergency_for(self, country: str | None, subdivision: str | None) -> dict[str, Any]:
        """The subdivision's entry where it differs, else the country's, else an unreviewed
        entry that says so (never None: a clinician must always see what to do)."""
        entry = self.emergency.get(subdivision or "") or self.emergency.get(country or "")
        return json.loads(json.dumps(entry)) if entry is not None else unreviewed(country)

    def compact_key(self, name: str) -> str | None:
        """The compact a clinician's free-text compact name refers to ("PSYPACT", "Counseling Compact")."""
        return self._aliases.get(_normalise(name))


def _normalise(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", name.upper())


def _aliases(doc: dict[str, Any], compacts: Mapping[str, Compact]) -> dict[str, str]:
    aliases = {_normalise(key): key for key in compacts}
    for key, entry in (doc.get("compacts") or {}).items():
        aliases.update({_normalise(alias): key for alias in entry.get("aliases") or ()})
    return aliases


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Any], ...]:
    return tuple(read_reference(name) for name in FILES)


def load_reference(overrides: dict[str, Any] | None = None) -> ReferenceData:
    """Shipped reference data with a practice's overrides merged over it (cached per overrides).

    `overrides` is a policy's `reference_overrides`: `{"emergency": {"US-CA": {"emergency_number":
    ..., "crisis_line": ..., "source": ...}}, "compacts": {"PSYPACT": {"members": [...]}}}`.
    """
    return _load(json.dumps(overrides or {}, sort_keys=True))


@lru_cache(maxsize=64)
def _load(overrides_json: str) -> ReferenceData:
    overrides = json.loads(overrides_json)
    documents = _shipped()
    emergency_doc, compacts_doc, _ = documents
    compacts = compacts_from(compacts_doc, overrides.get("compacts") or {})
    sources = {key: value for doc in documents for key, value in doc.get("sources", {}).items()}
    return ReferenceData(
        reviewed_on=min(str(doc["reviewed_on"]) for doc in documents),
        sources=MappingProxyType(sources),
        emergency=MappingProxyType(
            emergency_table(emergency_doc, overrides.get("emergency") or {})
        ),
        compacts=MappingProxyType(compacts),
        professions=vocabulary(),
        _aliases=MappingProxyType(_aliases(compacts_doc, compacts)),
    )
