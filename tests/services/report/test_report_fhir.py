from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import fhirpathpy as fhirpath
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.report import build_report, sign
from teleframe.services.report_fhir import questionnaire, questionnaire_canonical, to_fhir_bundle
from tests.services.report.goldens import assert_matches_golden
from tests.services.report.sample import CLINICIAN, sample_input

ANSWER_TYPES = {"boolean": "valueBoolean", "string": "valueString", "choice": "valueCoding"}


def _signed() -> dict[str, Any]:
    report = sign(
        build_report(sample_input()),
        signer={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "method": "password and authenticator code",
        },
        signed_at="2026-12-01T18:05:00Z",
    )
    report["version"] = {
        "number": 2,
        "kind": "signed",
        "content_hash": "sha256:" + "c" * 64,
        "previous_hash": None,
    }
    return report


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from _walk(item.get("item", []))


def test_draft_bundle_matches_golden() -> None:
    assert_matches_golden("bundle-draft.json", to_fhir_bundle(build_report(sample_input())))


def test_signed_bundle_matches_golden() -> None:
    assert_matches_golden("bundle-signed.json", to_fhir_bundle(_signed()))


def test_bundle_parses_as_r4_bundle() -> None:
    bundle = Bundle.model_validate(to_fhir_bundle(_signed()))

    assert bundle.type == "collection"
    kinds = [entry.resource.__resource_type__ for entry in bundle.entry]
    assert kinds == [
        "Patient",
        "Practitioner",
        "Location",
        "Encounter",
        "QuestionnaireResponse",
        "Provenance",
    ]


def test_encounter_is_virtual_with_status_history_and_modalities() -> None:
    (encounter,) = _resources(to_fhir_bundle(_signed()), "Encounter")

    assert encounter["class"] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "code": "VR",
        "display": "virtual",
    }
    assert [h["status"] for h in encounter["statusHistory"]] == [
        "arrived",
        "in-progress",
        "onleave",
        "in-progress",
        "finished",
    ]
    assert encounter["statusHistory"][2]["period"] == {
        "start": "2026-12-01T17:20:05Z",
        "end": "2026-12-01T17:23:05Z",
    }
    assert {t["coding"][0]["code"] for t in encounter["type"]} == {"453131000124105", "185317003"}
    assert encounter["status"] == "finished"


def test_provenance_only_once_signed() -> None:
    assert _resources(to_fhir_bundle(build_report(sample_input())), "Provenance") == []

    (provenance,) = _resources(to_fhir_bundle(_signed()), "Provenance")

    assert provenance["recorded"] == "2026-12-01T18:05:00Z"
    assert provenance["signature"][0]["when"] == "2026-12-01T18:05:00Z"
    assert provenance["entity"][0]["what"]["identifier"]["value"] == "sha256:" + "c" * 64


def test_shipped_questionnaire_is_a_valid_r4_questionnaire() -> None:
    parsed = Questionnaire.model_validate(questionnaire())

    assert parsed.status == "active"
    assert questionnaire_canonical() == f"{parsed.url}|{parsed.version}"


def test_response_answers_only_questions_the_questionnaire_asks_with_their_types() -> None:
    (response,) = _resources(to_fhir_bundle(_signed()), "QuestionnaireResponse")
    asked = {item["linkId"]: item["type"] for item in _walk(questionnaire()["item"])}

    assert response["questionnaire"] == questionnaire_canonical()
    answered = list(_walk(response["item"]))
    assert answered
    for item in answered:
        assert item["linkId"] in asked, item["linkId"]
        for answer in item.get("answer", []):
            assert ANSWER_TYPES[asked[item["linkId"]]] in answer


def test_place_type_is_answered_with_the_questionnaire_coding() -> None:
    (response,) = _resources(to_fhir_bundle(_signed()), "QuestionnaireResponse")
    place = next(i for i in _walk(response["item"]) if i["linkId"] == "location.place_type")

    assert place["answer"][0]["valueCoding"]["code"] == "home"


def test_a_scheduled_session_without_check_in_still_gives_a_valid_bundle() -> None:
    session = {**sample_input().session, "status": "scheduled"}
    report = build_report(
        sample_input(session=session, checkin=None, evaluation=None, continuity=None, events=[])
    )

    bundle = to_fhir_bundle(report)

    Bundle.model_validate(bundle)
    assert _resources(bundle, "QuestionnaireResponse") == []
    (encounter,) = _resources(bundle, "Encounter")
    assert encounter["status"] == "planned"
    assert "statusHistory" not in encounter
    assert encounter["period"] == {"start": "2026-12-01T17:00:00Z", "end": "2026-12-01T17:50:00Z"}


PER_1 = "Bundle.entry.resource.ofType(Encounter).statusHistory.where(period.start > period.end)"


@settings(max_examples=60)
@given(minutes_after_start=st.integers(min_value=-120, max_value=120))
def test_status_history_periods_never_end_before_they_start(minutes_after_start: int) -> None:
    """FHIR invariant per-1, checked with FHIRPath, for a check-in before or after the start."""
    submitted = datetime(2026, 12, 1, 17, 0, tzinfo=UTC) + timedelta(minutes=minutes_after_start)
    checkin = {
        "id": "chk_01JD8Q4",
        "submitted_at": submitted.isoformat().replace("+00:00", "Z"),
        "data": sample_input().checkin["data"],  # type: ignore[index]
    }
    bundle = to_fhir_bundle(build_report(sample_input(checkin=checkin)))
    assert fhirpath.evaluate(bundle, PER_1, []) == []
    (encounter,) = _resources(bundle, "Encounter")
    starts = [h["period"]["start"] for h in encounter["statusHistory"]]
    assert starts == sorted(starts)
