"""Builders for policy-engine tests: a complete check-in, a session, a clinician, policies."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml

from teleframe.services.evaluation import (
    ClinicianFacts,
    EvaluationResult,
    LicenceFacts,
    SessionFacts,
    evaluate,
)
from teleframe.services.policy import (
    CompiledPolicy,
    compile_policy,
    default_policy_text,
    parse_policy,
)
from teleframe.services.reference import ReferenceData, load_reference

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
ADDRESS, LOCALITY = "1200 Lakeshore Ave", "Oakland"
CALLBACK, CONTACT_PHONE = "+15105550123", "+14155550188"


def complete_checkin() -> dict[str, Any]:
    return {
        "location": {
            "country": "US",
            "subdivision": "US-CA",
            "locality": LOCALITY,
            "address": ADDRESS,
            "place_type": "home",
            "same_as_last_time": True,
        },
        "privacy": {"private_space": True, "can_speak_freely": True, "headphones": True},
        "others_present": [],
        "backup": {
            "callback_phone": CALLBACK,
            "emergency_contact": {
                "name": "Alex",
                "relationship": "sibling",
                "phone": CONTACT_PHONE,
            },
        },
        "readiness": {
            "good_time_to_proceed": True,
            "not_driving": True,
            "identity_confirmed": True,
        },
    }


def session(dob: date | None = date(1990, 4, 2)) -> SessionFacts:
    return SessionFacts(START, START + timedelta(minutes=50), dob)


def clinician(
    licences: tuple[tuple[str, date | None], ...] = (("US-CA", date(2027, 6, 30)),),
    compacts: tuple[str, ...] = (),
    home: str | None = "US-CA",
    kind: str = "LMFT",
    privileges: tuple[tuple[str, str], ...] = (),
) -> ClinicianFacts:
    """Licences of one kind; `privileges` are (compact, jurisdiction) per-state privileges."""
    return ClinicianFacts(
        home_jurisdiction=home,
        licenses=(
            *(LicenceFacts(code, kind, f"LIC-{code}", expires) for code, expires in licences),
            *(
                LicenceFacts(code, kind, f"PRIV-{code}", None, compact=compact)
                for compact, code in privileges
            ),
        ),
        compacts=compacts,
    )


def deep_merge(base: dict[str, Any], tweak: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in tweak.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def policy_with(tweak: dict[str, Any] | None = None) -> CompiledPolicy:
    document = yaml.safe_load(default_policy_text())
    return compile_policy(parse_policy(yaml.safe_dump(deep_merge(document, tweak or {}))))


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference()


Evaluate = Callable[..., EvaluationResult]


@pytest.fixture
def run(reference: ReferenceData) -> Evaluate:
    def _run(
        checkin: dict[str, Any],
        *,
        policy: dict[str, Any] | None = None,
        who: ClinicianFacts | None = None,
        minutes_before: int = 10,
        dob: date | None = date(1990, 4, 2),
    ) -> EvaluationResult:
        return evaluate(
            checkin,
            session(dob),
            who or clinician(),
            policy_with(policy),
            reference,
            submitted_at=START - timedelta(minutes=minutes_before),
        )

    return _run
