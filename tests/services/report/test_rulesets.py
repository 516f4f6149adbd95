"""Per-session documentation rules by profession and client location (reference-data.md s. 7):
which rules apply, which elements they make required, and the citation they add."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from teleframe.services.report import build_report
from tests.services.report.sample import (
    CHECKIN_DATA,
    CLINICIAN,
    CONTINUITY,
    EVALUATION,
    sample_input,
)


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    client_in: str
    applies: tuple[str, ...]  # rule sources that apply, besides Medicare's (always listed)
    licensed_in: str = "US-CA"
    covered_by: dict[str, Any] | None = None
    locality: str | None = "Springfield"


ROWS = [
    Row("md-pmhnp-client-in-maryland", "PMHNP-BC", "US-MD", ("MD-COMAR-10.27.17.04",)),
    Row("md-pmhnp-licensed-in-maryland-client-elsewhere", "PMHNP-BC", "US-DE",
        ("MD-COMAR-10.27.17.04",), licensed_in="US-MD"),
    Row("md-rule-not-for-social-workers", "LCSW-C", "US-MD", ()),
    Row("alabama-physician", "MD", "US-AL", ("AL-ACT-2022-302",)),
    Row("alabama-rule-not-for-counselors", "LPC", "US-AL", ()),
    Row("texas-counselor", "LPC", "US-TX", ("TX-22TAC882.23",)),
    Row("texas-psychologist", "PsyD", "US-TX", ("TX-22TAC882.23",)),
    Row("texas-rule-not-for-nurse-practitioners", "PMHNP-BC", "US-TX", ()),
    Row("california-lmft-only-medicare", "LMFT", "US-CA", ()),
]  # fmt: skip


def report_for(row: Row) -> dict[str, Any]:
    clinician = {
        **CLINICIAN,
        "licenses": [{"jurisdiction": row.licensed_in, "kind": row.kind, "number": "N-1"}],
    }
    location = {**CHECKIN_DATA["location"], "subdivision": row.client_in, "locality": row.locality}
    facts = {**EVALUATION["facts"], "jurisdiction": row.client_in, "covered_by": row.covered_by}
    return build_report(
        sample_input(
            clinician=clinician,
            checkin={
                "id": "c",
                "submitted_at": None,
                "data": {**CHECKIN_DATA, "location": location},
            },
            evaluation={**EVALUATION, "facts": facts},
        )
    )


def element(report: dict[str, Any], element_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        e for e in report["completeness"]["elements"] if e["id"] == element_id
    )
    return found


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_rules_apply_by_profession_and_location(row: Row) -> None:
    completeness = report_for(row)["completeness"]
    applied = [rule["source"] for rule in completeness["rules_applied"]]
    assert applied == [*row.applies, "MEDICARE-POS-MODIFIERS"]
    for rule in completeness["rules_applied"]:
        assert rule["source"] in completeness["sources"] and rule["because"]
        for element_id in rule["elements"]:
            cited = element(report_for(row), element_id)
            assert cited["required"] and rule["source"] in cited["sources"]


def test_maryland_pmhnp_rule_requires_consent_and_location_checks() -> None:
    report = report_for(ROWS[0])
    assert {"alternate_contact", "others_present_identified", "client_jurisdiction",
            "telehealth_consent"} <= set(next(r for r in report["completeness"]["rules_applied"]
                                          if r["source"] == "MD-COMAR-10.27.17.04")["elements"])  # fmt: skip


def test_alabama_needs_the_city_the_client_states() -> None:
    row = next(r for r in ROWS if r.id == "alabama-physician")
    without_city = report_for(Row(row.id, row.kind, row.client_in, row.applies, locality=None))
    assert element(without_city, "client_city_and_state")["status"] == "partial"
    assert "client_city_and_state" in without_city["completeness"]["required_missing"]
    assert element(report_for(row), "client_city_and_state")["status"] == "captured"


def test_city_is_optional_where_no_rule_asks_for_it() -> None:
    row = next(r for r in ROWS if r.id == "california-lmft-only-medicare")
    report = report_for(Row(row.id, row.kind, row.client_in, row.applies, locality=None))
    assert element(report, "client_city_and_state")["required"] is False
    assert "client_city_and_state" not in report["completeness"]["required_missing"]


@pytest.mark.parametrize(
    ("covered_by", "status"),
    [
        (None, "missing"),
        ({"kind": "license", "jurisdiction": "US-TX", "number": "1"}, "captured"),
        ({"kind": "compact", "name": "PSYPACT", "verified": True}, "captured"),
        ({"kind": "compact", "name": "PSYPACT", "verified": False}, "partial"),
    ],
)
def test_texas_needs_a_licence_covering_the_client_location(
    covered_by: dict[str, Any] | None, status: str
) -> None:
    row = next(r for r in ROWS if r.id == "texas-psychologist")
    report = report_for(Row(row.id, row.kind, row.client_in, row.applies, covered_by=covered_by))
    assert element(report, "licence_for_client_location")["status"] == status
    assert ("licence_for_client_location" in report["completeness"]["required_missing"]) is (
        status != "captured"
    )


@pytest.mark.parametrize(
    ("modifier", "segments", "status"),
    [
        ("95", [{"modality": "video", "reason": None}], "captured"),
        ("93", [{"modality": "phone", "reason": "not_capable"}], "captured"),
        (None, [{"modality": "audio_only", "reason": None}], "missing"),
        (None, [], "missing"),
    ],
)
def test_medicare_modifier_follows_modality_and_audio_only_reason(
    modifier: str | None, segments: list[dict[str, Any]], status: str
) -> None:
    continuity = {
        **CONTINUITY,
        "billing": {"modifier": modifier, "audio_only_reason": None},
        "modality_segments": [
            {**s, "start_at": "2026-12-01T17:00:05Z", "end_at": "2026-12-01T17:20:05Z"}
            for s in segments
        ],
    }
    report = build_report(sample_input(continuity=continuity))
    assert element(report, "telehealth_modifier")["status"] == status
    assert element(report, "telehealth_modifier")["required"] is True


def test_an_unreviewed_emergency_number_is_only_partial() -> None:
    from teleframe.services.reference import load_reference

    facts = {**EVALUATION["facts"], "emergency": load_reference().emergency_for("IS", None)}
    report = build_report(sample_input(evaluation={**EVALUATION, "facts": facts}))
    resources = element(report, "emergency_resources")
    assert resources["status"] == "partial" and resources["detail"].startswith("Unreviewed")
    assert "emergency_resources" in report["completeness"]["required_missing"]
