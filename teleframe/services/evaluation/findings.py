"""What an evaluation reports: findings, each traced to the policy rule that raised it, and the
overall status they add up to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STATUS_BY_SEVERITY = (("block", "blocked"), ("warn", "attention"))


def client_text(text: str) -> str:
    """Marks a message the client reads: the page's translation catalogues are extracted from
    these (`pybabel extract -k client_text`) and the page translates the stored English."""
    return text


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "block" | "warn" | "info"
    field: str | None
    message: str  # plain words, for the client
    clinician_message: str
    rule: str  # the policy path of the rule that raised it
    # the message in other languages, where the policy gives them (custom rules)
    messages: Mapping[str, str] | None = None
    # a message with values in it: its template (the catalogue's key) and the values
    message_template: str | None = None
    message_params: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "clinician_message": self.clinician_message,
            "rule": self.rule,
        }
        if self.messages:
            found["messages"] = dict(self.messages)
        if self.message_template:
            found["message_template"] = self.message_template
            found["message_params"] = dict(self.message_params or {})
        return found


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
