"""Emergency numbers and crisis lines for the client's location, reviewed or honestly not.

The reviewed table is `config/reference/emergency.yaml`. A location without an entry is never
answered with silence: it gets an unreviewed entry whose message tells the clinician to confirm
the local number with the client, showing 112 only where libphonenumber lists 112 as an
emergency number for that region (many phones route 112 there). The displayed number of a
reviewed entry is chosen by a person; nothing here derives it from libphonenumber.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers
from phonenumbers import shortnumberinfo

from .compacts import OVERRIDE_SOURCE

LIBPHONENUMBER = f"libphonenumber {phonenumbers.__version__} short-number data (unreviewed)"


def _source_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value) if value else OVERRIDE_SOURCE


def _crisis_message(country: str | None, lines: list[dict[str, Any]]) -> str | None:
    if lines:
        return None
    where = country or "the client's location"
    return (
        f"No reviewed crisis line for {where}. Agree with the client, before the session, "
        "which local crisis service to call."
    )


def _entry(country: str, doc: Mapping[str, Any]) -> dict[str, Any]:
    lines = [dict(line, source=_source_text(line.get("source"))) for line in doc["crisis_lines"]]
    return {
        "emergency_number": doc["emergency_number"],
        "services": [dict(service) for service in doc.get("services") or ()],
        "crisis_line": lines[0]["call"] if lines else None,
        "crisis_lines": lines,
        "source": _source_text(doc.get("source")),
        "evidence": doc.get("evidence"),
        "reviewed": True,
        "message": doc.get("note"),
        "crisis_message": _crisis_message(country, lines),
    }


def _override(
    code: str, base: Mapping[str, Any] | None, entry: Mapping[str, Any]
) -> dict[str, Any]:
    """A practice's own number (its local PSAP) or crisis line, on the practice's authority."""
    merged = dict(base) if base else unreviewed(code.split("-")[0])
    merged.update(source=_source_text(entry.get("source")), evidence="practice", reviewed=True)
    if entry.get("emergency_number"):
        merged.update(emergency_number=entry["emergency_number"], message=None)
    if entry.get("crisis_line"):
        line = {
            "name": "practice override",
            "call": entry["crisis_line"],
            "source": merged["source"],
        }
        merged.update(crisis_line=entry["crisis_line"], crisis_lines=[line], crisis_message=None)
    return merged


def emergency_table(
    doc: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for country, entry in (doc.get("countries") or {}).items():
        table[str(country)] = _entry(str(country), entry)
        for code, sub in (entry.get("subdivisions") or {}).items():
            table[str(code)] = _entry(str(country), {**entry, **sub})
    for code, entry in overrides.items():
        parent = table.get(str(code).split("-")[0])
        table[str(code)] = _override(str(code), table.get(str(code), parent), entry)
    return table


def _lists_112(region: str) -> bool:
    return bool(shortnumberinfo.is_emergency_number("112", region))


def unreviewed(country: str | None) -> dict[str, Any]:
    """The entry for a location the reviewed table does not cover."""
    number = "112" if country and _lists_112(country) else None
    if country is None:
        message = (
            "The client's country is not known, so no emergency number can be shown. Ask the "
            "client where they are and for their local emergency number."
        )
    elif number:
        message = (
            f"Unreviewed: no reviewed emergency number for {country}. libphonenumber lists 112 "
            "as an emergency number there; confirm the local number with the client."
        )
    else:
        message = (
            f"No reviewed emergency number for {country}. Ask the client for their local "
            "emergency number before the session."
        )
    return {
        "emergency_number": number,
        "services": [],
        "crisis_line": None,
        "crisis_lines": [],
        "source": LIBPHONENUMBER if number else None,
        "evidence": "unreviewed",
        "reviewed": False,
        "message": message,
        "crisis_message": _crisis_message(country, []),
    }
