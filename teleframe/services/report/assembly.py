"""The report body: each section built from its inputs, then the completeness it adds up to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from teleframe.services.report.attestation import ATTESTATION_STATEMENT
from teleframe.services.report.completeness import completeness
from teleframe.services.report.findings import evaluation
from teleframe.services.report.frame import backup_plan, billing, location, others_present
from teleframe.services.report.session import checkin_ref, client, clinician, session
from teleframe.services.report.timeline import continuity, timeline
from teleframe.services.report.values import as_mapping, pick

FORMAT = "teleframe.frame-report"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ReportInput:
    session: dict[str, Any]
    clinician: dict[str, Any]
    client: dict[str, Any]
    checkin: dict[str, Any] | None
    evaluation: dict[str, Any] | None
    continuity: dict[str, Any] | None
    events: Sequence[dict[str, Any]]
    generated_at: str


def build_report(inp: ReportInput) -> dict[str, Any]:
    """Assemble the report body; linear in the number of events (plus one sort)."""
    data = as_mapping((inp.checkin or {}).get("data"))
    facts = as_mapping((inp.evaluation or {}).get("facts"))
    report: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": inp.generated_at,
        "session": session(inp.session, inp.continuity),
        "clinician": clinician(inp.clinician),
        "client": client(inp.client, facts),
        "checkin": checkin_ref(inp.checkin),
        "location": location(data.get("location"), facts),
        "privacy": pick(data.get("privacy"), ("private_space", "can_speak_freely", "headphones")),
        "others_present": others_present(data.get("others_present")),
        "readiness": pick(
            data.get("readiness"), ("good_time_to_proceed", "not_driving", "identity_confirmed")
        ),
        "consent": pick(data.get("consent"), ("agreed", "version", "agreed_at")),
        "identity": pick(data.get("identity"), ("full_name", "date_of_birth")),
        "backup_plan": backup_plan(data.get("backup"), facts, inp.continuity),
        "billing": billing(facts, inp.continuity),
        "evaluation": evaluation(inp.evaluation),
        "continuity": continuity(inp.continuity),
        "timeline": timeline(inp.events, inp.continuity),
        "attestation": {
            "signed": False,
            "signed_by": None,
            "signed_at": None,
            "statement": ATTESTATION_STATEMENT,
        },
        "addenda": [],
    }
    report["completeness"] = completeness(report)
    return report
