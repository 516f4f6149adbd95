"""Documentation completeness: each element's status and its sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.platypus import Flowable, Spacer

from teleframe.services.report_pdf.styles import STATUS_COLOURS
from teleframe.services.report_pdf.tables import grid, section
from teleframe.services.report_pdf.text import markup, para

STATUS_WORDS = {
    "captured": "captured",
    "not_applicable": "not applicable",
    "pending_attestation": "on signing",
    "partial": "partial",
    "missing": "MISSING",
}


def completeness(report: Mapping[str, Any]) -> Iterable[Flowable]:
    completeness = report["completeness"]
    elements = completeness["elements"]
    yield from section("Documentation completeness")
    missing = completeness.get("missing") or []
    summary = (
        f"{len(completeness.get('captured') or [])} of {len(elements)} elements captured. "
        + (f"Missing or partial: {len(missing)}. " if missing else "Nothing missing. ")
        + (
            "All required elements are documented."
            if completeness.get("complete")
            else "Required elements are still open; see below."
        )
    )
    yield para(markup(summary))
    yield Spacer(1, 4)
    yield grid(
        ["Element", "Status", "Detail", "Required by"],
        (
            [
                e["label"],
                STATUS_WORDS.get(e["status"], e["status"]),
                e["detail"] + ("" if e["required"] else " (recommended)"),
                ", ".join(e["sources"]),
            ]
            for e in elements
        ),
        [0.26, 0.11, 0.31, 0.32],
        [STATUS_COLOURS.get(e["status"]) for e in elements],
    )
    sources = completeness.get("sources") or {}
    yield para("Sources", "h3")
    for key, source in sources.items():
        evidence = " (secondary source)" if source.get("evidence") == "secondary" else ""
        yield para(
            f"<b>{markup(key)}</b>: {markup(source.get('citation'))}{evidence}. "
            f"{markup(source.get('url'))}",
            "small",
        )
