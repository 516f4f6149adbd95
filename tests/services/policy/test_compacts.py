"""Compacts by profession, scope and effective date, drawn from reference-data.md (sections 1-4).

Each row: the clinician (profession, home, licences, claimed compacts, recorded privileges), the
client's state, the session day and the compacts the practice accepts; then the verdict, which
compact covered the session, or a phrase from the reason none did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from teleframe.services.evaluation import ClinicianFacts, LicenceFacts, SessionFacts, evaluate
from teleframe.services.reference import ReferenceData

from .conftest import complete_checkin, deep_merge, policy_with

ALL = ["PSYPACT", "COUNSELING_COMPACT", "SOCIAL_WORK_COMPACT", "IMLC", "NLC", "APRN_COMPACT"]


@dataclass(frozen=True)
class Row:
    id: str
    kind: str
    home: str
    client_in: str
    compacts: tuple[str, ...] = ()
    privileges: tuple[str, ...] = ()  # jurisdictions with a recorded per-state privilege
    privilege_compact: str = "COUNSELING_COMPACT"
    extra_licences: tuple[str, ...] = ()
    day: date = date(2026, 12, 1)
    accepted: tuple[str, ...] = tuple(ALL)
    status: str = "blocked"
    covered_by: str | None = None
    reason: str = ""
    profession: str | None = None


ROWS = [
    # --- PSYPACT: psychologists, APIT for every effective member ---------------------------
    Row("psypact-co-psychologist-client-in-az", "PsyD", "US-CO", "US-AZ", ("PSYPACT",),
        status="clear", covered_by="PSYPACT"),
    Row("psypact-into-cnmi", "PhD", "US-AZ", "US-MP", ("APIT",), status="clear",
        covered_by="PSYPACT"),
    Row("psypact-lmft-claiming-psypact", "LMFT", "US-CO", "US-AZ", ("PSYPACT",),
        reason="clinician's licences name marriage_family_therapist"),
    Row("psypact-lpc-claiming-psypact", "LPC", "US-CO", "US-AZ", ("PSYPACT",),
        reason="covers psychologist"),
    Row("psypact-not-claimed", "PsyD", "US-CO", "US-AZ", (),
        reason=""),
    Row("psypact-client-in-non-member", "PsyD", "US-CO", "US-NY", ("PSYPACT",),
        reason="US-NY is not a PSYPACT member"),
    Row("psypact-client-in-california", "PsyD", "US-CO", "US-CA", ("PSYPACT",),
        reason="US-CA is not a PSYPACT member"),
    Row("psypact-home-not-member", "PsyD", "US-CA", "US-AZ", ("PSYPACT",),
        reason="home jurisdiction US-CA is not a PSYPACT member"),
    Row("psypact-before-arkansas-effective", "PsyD", "US-CO", "US-AR", ("PSYPACT",),
        day=date(2021, 11, 1), reason="only from 2021-11-18"),
    Row("psypact-after-arkansas-effective", "PsyD", "US-CO", "US-AR", ("PSYPACT",),
        day=date(2021, 11, 18), status="clear", covered_by="PSYPACT"),
    Row("psypact-texas-effective-date-unsourced", "PsyD", "US-CO", "US-TX", ("PSYPACT",),
        status="attention", covered_by="PSYPACT"),
    Row("psypact-pennsylvania-not-in-cchp-list", "PsyD", "US-PA", "US-AZ", ("PSYPACT",),
        status="attention", covered_by="PSYPACT"),
    Row("psypact-not-accepted-by-practice", "PsyD", "US-CO", "US-AZ", ("PSYPACT",),
        accepted=(), reason="not accepted by the practice's policy"),
    # --- Counseling Compact: privilege per state, only where states issue them --------------
    Row("counseling-privilege-in-issuing-state", "LPC", "US-AZ", "US-MN",
        ("Counseling Compact",), privileges=("US-MN",), status="clear",
        covered_by="COUNSELING_COMPACT"),
    Row("counseling-privilege-alone-names-the-compact", "LCPC", "US-OH", "US-AZ",
        privileges=("US-AZ",), status="clear", covered_by="COUNSELING_COMPACT"),
    Row("counseling-no-privilege-for-client-state", "LPC", "US-AZ", "US-MN",
        ("Counseling Compact",), reason="needs the privilege for US-MN"),
    Row("counseling-privilege-for-another-state", "LPC", "US-AZ", "US-MN",
        ("Counseling Compact",), privileges=("US-OH",), reason="needs the privilege for US-MN"),
    Row("counseling-client-state-not-issuing", "LPC", "US-AZ", "US-MD",
        ("Counseling Compact",), privileges=("US-MD",), reason="does not yet authorise"),
    Row("counseling-home-state-not-issuing", "LPC", "US-CO", "US-AZ",
        ("Counseling Compact",), privileges=("US-AZ",),
        reason="home jurisdiction US-CO is a COUNSELING_COMPACT member that does not yet"),
    Row("counseling-before-first-privileges", "LPC", "US-AZ", "US-MN",
        ("Counseling Compact",), privileges=("US-MN",), day=date(2025, 9, 29),
        reason="only from 2025-09-30"),
    Row("counseling-georgia-before-it-issued", "LPC", "US-AZ", "US-GA",
        ("Counseling Compact",), privileges=("US-GA",), day=date(2026, 6, 1),
        reason="only from 2026-06-02"),
    Row("counseling-georgia-once-issuing", "LMHC", "US-AZ", "US-GA",
        ("Counseling Compact",), privileges=("US-GA",), day=date(2026, 6, 2), status="clear",
        covered_by="COUNSELING_COMPACT"),
    Row("counseling-lmft-with-privilege", "LMFT", "US-AZ", "US-MN", ("Counseling Compact",),
        privileges=("US-MN",), reason="covers professional_counselor"),
    Row("counseling-not-a-state-outside-compact", "LPC", "US-AZ", "US-CA",
        ("Counseling Compact",), privileges=("US-CA",), reason="US-CA is not a"),
    # --- Social Work Licensure Compact: enacted, not operational ----------------------------
    Row("social-work-compact-not-operational", "LCSW", "US-MD", "US-VA",
        ("Social Work Licensure Compact",), reason="not operational yet"),
    # --- IMLC: expedited licensure only -----------------------------------------------------
    Row("imlc-authorises-nothing", "MD", "US-CO", "US-AZ", ("IMLC",),
        reason="expedited path to licensure"),
    Row("imlc-licence-it-led-to-covers", "MD", "US-CO", "US-AZ", ("IMLC",),
        extra_licences=("US-AZ",), status="clear", covered_by="license"),
    # --- NLC: RN/LPN multistate licence, not APRN practice ----------------------------------
    Row("nlc-rn-between-named-members", "RN", "US-PA", "US-CT", ("NLC",), status="clear",
        covered_by="NLC"),
    Row("nlc-does-not-cover-aprn", "PMHNP-BC", "US-PA", "US-CT", ("NLC",),
        reason="covers licensed_practical_nurse, registered_nurse"),
    Row("nlc-before-connecticut-implemented", "RN", "US-PA", "US-CT", ("NLC",),
        day=date(2025, 9, 1), reason="only from 2025-10-01"),
    Row("aprn-compact-not-operational", "PMHNP-BC", "US-DE", "US-UT", ("APRN Compact",),
        reason="not operational yet"),
    # --- a name that is no compact ------------------------------------------------------------
    Row("unknown-compact-name", "PsyD", "US-CO", "US-AZ", ("Made-up Compact",),
        reason="'Made-up Compact' is not a known compact"),
]  # fmt: skip


def _clinician(row: Row) -> ClinicianFacts:
    licences = [
        LicenceFacts(code, row.kind, f"LIC-{code}", None, profession=row.profession)
        for code in (row.home, *row.extra_licences)
    ]
    licences += [
        LicenceFacts(code, row.kind, f"PRIV-{code}", None, compact=row.privilege_compact)
        for code in row.privileges
    ]
    return ClinicianFacts(row.home, tuple(licences), row.compacts)


def _evaluate(row: Row, reference: ReferenceData) -> dict[str, object]:
    start = datetime(row.day.year, row.day.month, row.day.day, 17, tzinfo=UTC)
    checkin = deep_merge(complete_checkin(), {"location": {"subdivision": row.client_in}})
    result = evaluate(
        checkin,
        SessionFacts(start, start + timedelta(minutes=50), date(1990, 4, 2)),
        _clinician(row),
        policy_with({"rules": {"jurisdiction": {"accept_compacts": list(row.accepted)}}}),
        reference,
        submitted_at=start - timedelta(minutes=10),
    )
    return {"status": result.status, "codes": [f.code for f in result.findings], **result.facts}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_compact_verdict(row: Row, reference: ReferenceData) -> None:
    outcome = _evaluate(row, reference)
    assert outcome["status"] == row.status, outcome.get("not_covered_because")
    covered = outcome["covered_by"]
    if row.covered_by is None:
        assert covered is None
        assert outcome["codes"] == ["JURISDICTION_NOT_LICENSED"]
        assert row.reason in "; ".join(outcome["not_covered_because"])  # type: ignore[arg-type]
    elif row.covered_by == "license":
        assert covered == {"kind": "license", "jurisdiction": row.client_in,
                           "number": f"LIC-{row.client_in}"}  # fmt: skip
    else:
        assert covered["name"] == row.covered_by  # type: ignore[index]
        assert covered["verified"] is (row.status == "clear")  # type: ignore[index]
        expected = [] if row.status == "clear" else ["JURISDICTION_COMPACT_UNVERIFIED"]
        assert outcome["codes"] == expected


def test_the_privilege_that_covered_is_named(reference: ReferenceData) -> None:
    row = next(r for r in ROWS if r.id == "counseling-privilege-in-issuing-state")
    assert _evaluate(row, reference)["covered_by"] == {
        "kind": "compact",
        "name": "COUNSELING_COMPACT",
        "verified": True,
        "privilege": {"jurisdiction": "US-MN", "number": "PRIV-US-MN"},
    }


def test_a_privilege_is_not_a_licence(reference: ReferenceData) -> None:
    """Without the compact's conditions a recorded privilege clears nothing on its own."""
    row = next(r for r in ROWS if r.id == "counseling-client-state-not-issuing")
    assert _evaluate(row, reference)["status"] == "blocked"


def test_the_reason_reaches_the_clinician_message(reference: ReferenceData) -> None:
    row = next(r for r in ROWS if r.id == "psypact-lmft-claiming-psypact")
    policy = policy_with()
    start = datetime(2026, 12, 1, 17, tzinfo=UTC)
    checkin = deep_merge(complete_checkin(), {"location": {"subdivision": "US-AZ"}})
    result = evaluate(
        checkin,
        SessionFacts(start, start + timedelta(minutes=50), None),
        _clinician(row),
        policy,
        reference,
        submitted_at=start - timedelta(minutes=10),
    )
    (finding,) = result.findings
    assert "PSYPACT covers psychologist" in finding.clinician_message


def test_practice_override_makes_listed_members_effective() -> None:
    from teleframe.services.reference import load_reference

    practice = load_reference({"compacts": {"PSYPACT": {"members": ["US-CO", "US-TX"]}}})
    row = next(r for r in ROWS if r.id == "psypact-texas-effective-date-unsourced")
    outcome = _evaluate(row, practice)
    assert (outcome["status"], outcome["covered_by"]["verified"]) == ("clear", True)  # type: ignore[index]
