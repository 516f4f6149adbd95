"""The check-in evaluation: a pure function of check-in, session, clinician, policy and
reference data.

Deterministic and cheap (no I/O; tens of microseconds plus any custom CEL rules). Findings
and facts never carry the client's address, locality or phone numbers: they travel to logs
and webhook receivers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..policy import CompiledPolicy
from ..reference import ReferenceData
from .backup import check_backup
from .confirmations import check_privacy, check_readiness
from .consent import check_consent
from .context import Context, Rule
from .custom import check_custom
from .emergency import check_emergency
from .facts import (
    ClinicianFacts,
    LicenceFacts,
    SessionFacts,
    base_facts,
    location_codes,
    section,
    utc,
)
from .findings import STATUS_BY_SEVERITY, EvaluationResult, Finding, status_of
from .identity import check_identity
from .jurisdiction import check_jurisdiction
from .location import check_location, check_place
from .people import check_others
from .window import check_window

__all__ = [
    "RULES",
    "STATUS_BY_SEVERITY",
    "ClinicianFacts",
    "EvaluationResult",
    "Finding",
    "LicenceFacts",
    "Rule",
    "SessionFacts",
    "evaluate",
]

RULES: tuple[Rule, ...] = (
    check_jurisdiction,
    check_location,
    check_place,
    check_privacy,
    check_others,
    check_backup,
    check_readiness,
    check_consent,
    check_identity,
    check_window,
    check_custom,
    check_emergency,
)


def evaluate(
    checkin: dict[str, Any],
    session: SessionFacts,
    clinician: ClinicianFacts,
    policy: CompiledPolicy,
    reference: ReferenceData,
    *,
    submitted_at: datetime,
) -> EvaluationResult:
    """Check one check-in against the practice's policy; never raises on a schema-valid check-in."""
    checkin = checkin if isinstance(checkin, dict) else {}
    submitted_at = utc(submitted_at)
    country, subdivision = location_codes(section(checkin, "location"))
    facts = base_facts(checkin, session, policy, reference, submitted_at, country, subdivision)
    ctx = Context(
        checkin, session, clinician, policy, reference, submitted_at, country, subdivision, facts
    )
    findings = tuple(finding for rule in RULES for finding in rule(ctx))
    return EvaluationResult(status_of(findings), findings, facts, policy.policy_hash)
