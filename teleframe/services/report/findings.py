"""The pre-session evaluation: its verdict and findings, most severe first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teleframe.services.report.values import as_mapping

SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def evaluation(evaluation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    facts = as_mapping(evaluation.get("facts"))
    keys = ("code", "severity", "field", "message", "clinician_message", "rule")
    findings = [
        {key: f.get(key) for key in keys}
        for f in evaluation.get("findings") or ()
        if isinstance(f, Mapping)
    ]
    findings.sort(key=lambda f: SEVERITY_ORDER.get(str(f["severity"]), len(SEVERITY_ORDER)))
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        if finding["severity"] in counts:
            counts[finding["severity"]] += 1
    return {
        "status": evaluation.get("status"),
        "policy_hash": evaluation.get("policy_hash"),
        "evaluated_at": evaluation.get("evaluated_at"),
        "jurisdiction": facts.get("jurisdiction"),
        "covered_by": facts.get("covered_by"),
        "minor_client": facts.get("minor_client"),
        "finding_counts": counts,
        "findings": findings,
    }
