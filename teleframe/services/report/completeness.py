"""The documentation-completeness section: every element checked, the per-session rules that
applied to this session (by profession and location), then the totals."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from teleframe.services.report.elements import ELEMENTS
from teleframe.services.report.rulesets import applied
from teleframe.services.report.sources import SOURCES


def completeness(report: Mapping[str, Any]) -> dict[str, Any]:
    rules = applied(report)
    required_by: dict[str, list[str]] = {}
    for ruleset, _ in rules:
        for element_id in ruleset.elements:
            required_by.setdefault(element_id, []).append(ruleset.source)
    elements = []
    for element_id, label, required, sources, check in ELEMENTS:
        status, detail = check(report)
        extra = [s for s in required_by.get(element_id, ()) if s not in sources]
        elements.append(
            {
                "id": element_id,
                "label": label,
                "required": required or element_id in required_by,
                "status": status,
                "detail": detail,
                "sources": [*sources, *extra],
            }
        )
    return {
        "elements": elements,
        "sources": copy.deepcopy(SOURCES),
        "rules_applied": [
            {"source": ruleset.source, "because": why, "elements": list(ruleset.elements)}
            for ruleset, why in rules
        ],
        **summary(elements),
    }


def summary(elements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    def ids(*statuses: str, required_only: bool = False) -> list[str]:
        return [
            e["id"]
            for e in elements
            if e["status"] in statuses and (e["required"] or not required_only)
        ]

    required_missing = ids("missing", "partial", required_only=True)
    pending = ids("pending_attestation")
    return {
        "complete": not required_missing and not pending,
        "captured": ids("captured"),
        "missing": ids("missing", "partial"),
        "required_missing": required_missing,
        "pending_attestation": pending,
        "not_applicable": ids("not_applicable"),
    }
