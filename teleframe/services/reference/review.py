"""What a reviewer should look at in the shipped reference data: entries whose review is more
than 12 months old, values no source backs, and entries that rest on secondary sources only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from .files import read_reference

STALE_AFTER = timedelta(days=365)


def _stale(name: str, doc: Mapping[str, Any], today: date) -> Iterator[tuple[str, str]]:
    reviewed = date.fromisoformat(str(doc["reviewed_on"]))
    if today - reviewed > STALE_AFTER:
        yield "stale", f"{name}: reviewed {reviewed}, more than 12 months ago"


def _sources(name: str, doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for source_id, source in (doc.get("sources") or {}).items():
        if source.get("evidence") == "unsourced" or not source.get("url"):
            yield "unsourced", f"{name}: source {source_id}: no page backs it ({source['title']})"


def _emergency(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for code, entry in doc["countries"].items():
        if entry.get("evidence") == "secondary":
            yield (
                "secondary",
                f"emergency.yaml: {code}: emergency numbers from secondary sources only",
            )
        for line in entry.get("crisis_lines") or ():
            if line.get("evidence") == "secondary":
                yield (
                    "secondary",
                    f"emergency.yaml: {code}: crisis line {line['name']}: secondary only",
                )


def _compacts(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key, compact in doc["compacts"].items():
        for group in compact.get("members") or ():
            where = f"compacts.yaml: {key}: {', '.join(group['jurisdictions'])}"
            if group.get("status") == "unverified":
                yield "unsourced", f"{where}: effective date UNSOURCED"
            if group.get("evidence") == "secondary":
                yield "secondary", f"{where}: membership from secondary sources only"


def review(today: date) -> list[tuple[str, str]]:
    """(kind, line) pairs, kind one of "stale", "unsourced", "secondary"."""
    documents = {name: read_reference(name) for name in ("emergency.yaml", "compacts.yaml",
                                                          "professions.yaml")}  # fmt: skip
    found: list[tuple[str, str]] = []
    for name, doc in documents.items():
        found += [*_stale(name, doc, today), *_sources(name, doc)]
    found += [*_emergency(documents["emergency.yaml"]), *_compacts(documents["compacts.yaml"])]
    return found
