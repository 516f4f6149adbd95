"""Licence kinds from the profession vocabulary at the clinicians API, and compact coverage by
profession through a real check-in evaluation (API, Celery worker, PostgreSQL)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import Clinician
from tests.conftest import soon, wait_for
from tests.samples import GOOD_CHECKIN


def licence(kind: str, jurisdiction: str = "US-CO", **extra: object) -> dict[str, object]:
    return {"jurisdiction": jurisdiction, "kind": kind, "number": "N-1", **extra}


def clinician_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Clinician)) or 0)


@pytest.mark.parametrize(
    ("bad", "field", "says"),
    [
        (licence("Shaman"), "kind", "Known kinds: APRN,"),
        (licence("<script>alert(1)</script>"), "kind", "Unknown licence kind"),
        (licence("LMFT\x00"), "kind", "control characters"),
        (licence("\ud800"), "kind", ""),
        (licence("L" * 5000), "kind", ""),
        (licence("PsyD", profession="psychiatrist"), "profession", "names one of: psychologist"),
        (licence("LPC", compact="Made-up Compact"), "compact", "Known compacts: APRN_COMPACT"),
    ],
)
def test_unknown_kinds_are_refused_with_the_known_list(app, make_practice, bad, field, says):
    practice = make_practice()
    before = clinician_count(app)
    body = {"name": "Dana Reyes", "home_jurisdiction": "US-CO", "licenses": [bad]}
    response = practice.post("/v1/clinicians", body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    errors = str(response.get_json()["errors"])
    assert field in errors and says in errors
    assert clinician_count(app) == before


def test_kinds_are_normalised_and_state_their_profession(make_practice):
    practice = make_practice()
    body = {
        "name": "Dana Reyes",
        "home_jurisdiction": "US-CA",
        "licenses": [
            licence("lmft", "US-CA"),
            licence("md", "US-CA", profession="physician"),
            licence("lpc", "US-AZ", compact="counselling compact"),
        ],
    }
    response = practice.post("/v1/clinicians", body)
    assert response.status_code == 201, response.get_json()
    read = practice.get(f"/v1/clinicians/{response.get_json()['id']}").get_json()["licenses"]
    assert [(lic["kind"], lic["profession"], lic["compact"]) for lic in read] == [
        ("LMFT", "marriage_family_therapist", None),
        ("MD", "physician", None),
        ("LPC", "professional_counselor", "COUNSELING_COMPACT"),
    ]


def _session_with(practice, clinician: dict[str, object]) -> str:  # type: ignore[no-untyped-def]
    created = practice.post("/v1/clinicians", clinician)
    assert created.status_code == 201, created.get_json()
    begins = soon()
    response = practice.post(
        "/v1/sessions",
        {
            "clinician_id": created.get_json()["id"],
            "client_id": practice.client(),
            "scheduled_start": begins.isoformat(),
            "scheduled_end": (begins + timedelta(minutes=50)).isoformat(),
        },
    )
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _evaluation_in_arizona(practice, session: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(GOOD_CHECKIN)
    body["location"].update(subdivision="US-AZ", locality="Phoenix")
    assert practice.post(f"/v1/sessions/{session}/checkins", body).status_code == 202
    frame = wait_for(
        lambda: (f := practice.get(f"/v1/sessions/{session}/frame").get_json())["evaluation"] and f,
        timeout=10,
    )
    evaluation: dict[str, object] = frame["evaluation"]
    return evaluation


@pytest.mark.parametrize(
    ("kind", "status", "covered_by"),
    [
        ("PsyD", "clear", {"kind": "compact", "name": "PSYPACT", "verified": True}),
        ("LMFT", "blocked", None),
    ],
)
def test_colorado_licensee_claiming_psypact_seeing_a_client_in_arizona(
    worker, make_practice, kind, status, covered_by
):
    practice = make_practice()
    session = _session_with(
        practice,
        {
            "name": "Dana Reyes",
            "home_jurisdiction": "US-CO",
            "licenses": [licence(kind, "US-CO", expires_on="2030-06-30")],
            "compacts": ["PSYPACT"],
        },
    )
    evaluation = _evaluation_in_arizona(practice, session)
    codes = [finding["code"] for finding in evaluation["findings"]]  # type: ignore[attr-defined]
    assert evaluation["status"] == status, evaluation["findings"]
    assert evaluation["facts"]["covered_by"] == covered_by  # type: ignore[index]
    assert ("JURISDICTION_NOT_LICENSED" in codes) is (status == "blocked")
    if status == "blocked":
        (finding,) = [f for f in evaluation["findings"] if f["code"] == "JURISDICTION_NOT_LICENSED"]  # type: ignore[attr-defined]
        assert "PSYPACT covers psychologist" in finding["clinician_message"]
    emergency = evaluation["facts"]["emergency"]  # type: ignore[index]
    assert (emergency["emergency_number"], emergency["crisis_line"]) == ("911", "988")
