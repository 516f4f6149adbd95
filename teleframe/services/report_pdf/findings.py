"""The pre-session check: verdict, policy version and findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from teleframe.services.report_pdf.styles import VERDICT_COLOURS
from teleframe.services.report_pdf.tables import WIDTH, facts, grid, hash_row, section
from teleframe.services.report_pdf.text import markup, para, when


def evaluation(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from section("Pre-session check")
    evaluation, checkin = report.get("evaluation"), report.get("checkin")
    if checkin is None:
        yield para("No check-in was submitted for this session.")
    if evaluation is None:
        yield para("The check-in has not been evaluated.")
        return
    status = str(evaluation.get("status"))
    verdict = Table([[para(f"Verdict: {markup(status.upper())}", "verdict")]], colWidths=[WIDTH])
    verdict.setStyle(
        TableStyle([("BACKGROUND", (0, 0), (-1, -1), VERDICT_COLOURS.get(status, colors.white))])
    )
    yield verdict
    yield Spacer(1, 4)
    yield facts(
        [
            ("Check-in submitted", when((checkin or {}).get("submitted_at"))),
            ("Evaluated", when(evaluation.get("evaluated_at"))),
            ("Client jurisdiction", markup(evaluation.get("jurisdiction"))),
            ("Covered by", markup(evaluation.get("covered_by"))),
        ]
    )
    yield hash_row("Policy version", evaluation.get("policy_hash"))
    findings = evaluation.get("findings") or []
    yield para("Findings", "h3")
    if not findings:
        yield para("No findings.", "small")
        return
    yield grid(
        ["Severity", "Code", "Field", "For the clinician", "Rule"],
        (
            [
                f.get("severity"),
                f.get("code"),
                f.get("field"),
                f.get("clinician_message") or f.get("message"),
                f.get("rule"),
            ]
            for f in findings
        ),
        [0.11, 0.22, 0.15, 0.32, 0.20],
    )
