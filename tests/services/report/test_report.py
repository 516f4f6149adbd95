from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teleframe.services.report import (
    ATTESTATION_STATEMENT,
    ReportSigningError,
    addendum,
    build_report,
    sign,
)
from teleframe.services.report_fhir import to_fhir_bundle
from teleframe.services.report_pdf import render_pdf
from tests.services.report.goldens import assert_matches_golden
from tests.services.report.sample import CHECKIN_DATA, CLINICIAN, sample_input


def _status(report: dict[str, Any], element_id: str) -> str:
    return next(e["status"] for e in report["completeness"]["elements"] if e["id"] == element_id)


def test_report_matches_golden() -> None:
    assert_matches_golden("report.json", build_report(sample_input()))


def test_report_carries_the_session_frame() -> None:
    report = build_report(sample_input())

    assert report["session"]["actual_start"] == "2026-12-01T17:00:05Z"
    assert [s["modality"] for s in report["session"]["modality_segments"]] == ["video", "phone"]
    assert report["location"]["address"] == "1200 Lakeshore Ave"
    assert report["billing"]["place_of_service"]["code"] == "10"
    assert report["others_present"][0]["client_consents_to_hear"] is True
    assert report["backup_plan"]["emergency_resources"]["crisis_line"] == "988"
    assert report["evaluation"]["findings"][0]["severity"] == "warn"  # most severe first
    assert report["attestation"] == {
        "signed": False,
        "signed_by": None,
        "signed_at": None,
        "statement": ATTESTATION_STATEMENT,
    }


def test_timeline_is_in_time_order_with_offsets_whatever_the_arrival_order() -> None:
    events = list(reversed(sample_input().events))

    timeline = build_report(sample_input(events=events))["timeline"]

    assert [e["offset_seconds"] for e in timeline["events"]] == [0, 2, 1200, 1350, 1380, 3000]


def test_missing_check_in_is_listed_not_hidden() -> None:
    report = build_report(sample_input(checkin=None, evaluation=None))
    missing = report["completeness"]["missing"]

    for element in ("alternate_contact", "client_specific_location", "others_present_identified"):
        assert element in missing
    assert "emergency_resources" in report["completeness"]["required_missing"]
    assert report["completeness"]["complete"] is False


def test_partial_location_is_reported_as_partial() -> None:
    data = {
        **CHECKIN_DATA,
        "location": {"country": "US", "subdivision": "US-MD", "locality": "Towson"},
    }

    report = build_report(sample_input(checkin={"id": "c", "submitted_at": None, "data": data}))

    assert _status(report, "client_specific_location") == "partial"
    assert "client_specific_location" in report["completeness"]["required_missing"]


def test_unknown_consent_of_someone_present_is_missing() -> None:
    data = {**CHECKIN_DATA, "others_present": [{"relationship": "parent", "minor": False}]}

    report = build_report(sample_input(checkin={"id": "c", "submitted_at": None, "data": data}))

    assert _status(report, "others_present_permitted") == "missing"


def test_audio_only_reason_applies_only_when_audio_was_used() -> None:
    continuity = {**sample_input().continuity, "billing": {"modifier": "95"}}  # type: ignore[dict-item]
    continuity["modality_segments"] = [
        {"modality": "video", "start_at": "2026-12-01T17:00:05Z", "end_at": "2026-12-01T17:20:05Z"},
        {
            "modality": "audio_only",
            "start_at": "2026-12-01T17:20:05Z",
            "end_at": "2026-12-01T17:50:05Z",
        },
    ]
    assert (
        _status(build_report(sample_input(continuity=continuity)), "audio_only_reason") == "missing"
    )
    continuity["modality_segments"] = continuity["modality_segments"][:1]
    assert (
        _status(build_report(sample_input(continuity=continuity)), "audio_only_reason")
        == "not_applicable"
    )


def test_signing_closes_what_the_attestation_covers() -> None:
    draft = build_report(sample_input())
    assert "clinician_side_present" in draft["completeness"]["pending_attestation"]

    signed = sign(
        draft,
        signer={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "credentials": "LMFT",
            "user_id": "usr-1",
            "method": "password and authenticator code",
        },
        signed_at="2026-12-01T17:55:00Z",
        reviewed_hash="sha256:" + "0" * 64,
    )

    attestation = signed["attestation"]
    assert attestation["signed_by"] == {
        "id": CLINICIAN["id"],
        "name": "Dana Reyes",
        "credentials": "LMFT",
        "user_id": "usr-1",
    }
    assert attestation["method"] == "password and authenticator code"
    assert attestation["reviewed_hash"] == "sha256:" + "0" * 64
    assert attestation["line"] == (
        "Electronically signed by Dana Reyes, LMFT, 2026-12-01 17:55 UTC "
        "(password and authenticator code)"
    )
    assert _status(signed, "clinician_side_present") == "captured"
    assert signed["completeness"]["pending_attestation"] == []
    assert draft["attestation"]["signed"] is False  # the draft itself is untouched


def test_only_the_sessions_clinician_signs_and_only_once() -> None:
    draft = build_report(sample_input())
    with pytest.raises(ReportSigningError):
        sign(
            draft,
            signer={"id": "someone-else", "name": "X", "method": "password and authenticator code"},
            signed_at="2026-12-01T18:05:00Z",
        )
    signed = sign(
        draft,
        signer={"id": CLINICIAN["id"], "name": "D", "method": "password and authenticator code"},
        signed_at="2026-12-01T18:05:00Z",
    )
    with pytest.raises(ReportSigningError):
        sign(
            signed,
            signer={
                "id": CLINICIAN["id"],
                "name": "D",
                "method": "password and authenticator code",
            },
            signed_at="2026-12-01T18:06:00Z",
        )


def test_addendum_records_author_and_time() -> None:
    entry = addendum(
        "  Client called back after the session.  ",
        author={"id": "cln", "name": "Dana", "method": "password and authenticator code"},
        written_at="2026-12-02T09:00:00Z",
    )

    assert entry == {
        "kind": "addendum",
        "text": "Client called back after the session.",
        "author": {"id": "cln", "name": "Dana"},
        "method": "password and authenticator code",
        "token_id": None,
        "line": "Electronically signed by Dana, 2026-12-02 09:00 UTC "
        "(password and authenticator code)",
        "written_at": "2026-12-02T09:00:00Z",
    }
    with pytest.raises(ValueError, match="needs text"):
        addendum(
            "   ",
            author={"id": "cln", "name": "Dana", "method": "password and authenticator code"},
            written_at="2026-12-02T09:00:00Z",
        )


def test_nothing_from_the_record_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    report = build_report(sample_input())
    signed = sign(
        report,
        signer={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "method": "password and authenticator code",
        },
        signed_at="2026-12-01T18:05:00Z",
    )
    render_pdf(signed)
    to_fhir_bundle(signed)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    for phi in ("Sam Client", "1200 Lakeshore", "+15105550123", "Alex Client", "1990-04-02"):
        assert phi not in logged


optional_bool = st.none() | st.booleans()
optional_text = st.none() | st.text(max_size=20)
checkin_data = st.fixed_dictionaries(
    {},
    optional={
        "location": st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "country": optional_text,
                "subdivision": optional_text,
                "locality": optional_text,
                "address": optional_text,
                "place_type": st.none() | st.sampled_from(["home", "work", "vehicle", "other"]),
            },
        ),
        "privacy": st.none()
        | st.fixed_dictionaries(
            {}, optional={"private_space": optional_bool, "can_speak_freely": optional_bool}
        ),
        "others_present": st.none()
        | st.lists(
            st.fixed_dictionaries(
                {"relationship": optional_text},
                optional={"minor": optional_bool, "client_consents_to_hear": optional_bool},
            ),
            max_size=3,
        ),
        "backup": st.none() | st.fixed_dictionaries({}, optional={"callback_phone": optional_text}),
        "readiness": st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "good_time_to_proceed": optional_bool,
                "not_driving": optional_bool,
                "identity_confirmed": optional_bool,
            },
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(data=checkin_data, with_evaluation=st.booleans(), with_continuity=st.booleans())
def test_any_partial_check_in_gives_an_honest_completeness_section(
    data: dict[str, Any], with_evaluation: bool, with_continuity: bool
) -> None:
    inp = sample_input(
        checkin={"id": "c", "submitted_at": None, "data": data},
        **({} if with_evaluation else {"evaluation": None}),
        **({} if with_continuity else {"continuity": None}),
    )

    completeness = build_report(inp)["completeness"]

    by_status: dict[str, list[str]] = {}
    for element in completeness["elements"]:
        by_status.setdefault(element["status"], []).append(element["id"])
    assert completeness["missing"] == [
        e["id"] for e in completeness["elements"] if e["status"] in {"missing", "partial"}
    ]
    assert set(completeness["captured"]) == set(by_status.get("captured", []))
    assert "telehealth_consent" in completeness["missing"]  # never captured by the check-in
    assert completeness["complete"] is False
