"""The documentation-completeness section: every element checked, then the totals."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from teleframe.services.report.elements import ELEMENTS
from teleframe.services.report.sources import SOURCES


def completeness(report: Mapping[str, Any]) -> dict[str, Any]:
    elements = []
    for element_id, label, required, sources, check in ELEMENTS:
        status, detail = check(report)
        elements.append(
            {
                "id": element_id,
                "label": label,
                "required": required,
                "status": status,
                "detail": detail,
                "sources": list(sources),
            }
        )
    return {
        "elements": elements,
        "sources": copy.deepcopy(SOURCES),
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
