"""What an evaluation reports: findings, each traced to the policy rule that raised it, and the
overall status they add up to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATUS_BY_SEVERITY = (("block", "blocked"), ("warn", "attention"))


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "block" | "warn" | "info"
    field: str | None
    message: str  # plain words, for the client
    clinician_message: str
    rule: str  # the policy path of the rule that raised it

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "clinician_message": self.clinician_message,
            "rule": self.rule,
        }


@dataclass(frozen=True)
class EvaluationResult:
    status: str  # "clear" | "attention" | "blocked"
    findings: tuple[Finding, ...]
    facts: dict[str, Any]
    policy_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "findings": [finding.to_dict() for finding in self.findings],
            "facts": self.facts,
            "policy_hash": self.policy_hash,
        }


def status_of(findings: tuple[Finding, ...]) -> str:
    severities = {finding.severity for finding in findings}
    for severity, status in STATUS_BY_SEVERITY:
        if severity in severities:
            return status
    return "clear"
