"""Retention (APA: years after the last date of service, or three after a minor's majority)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from teleframe.extensions import db
from teleframe.models import AuditEvent, CheckIn, Practice, ReportVersion
from teleframe.operations import retention
from teleframe.services.retention import retention_ends
from tests.reports.helpers import sign
from tests.samples import GOOD_CHECKIN

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def test_adult_records_are_kept_years_after_the_last_service() -> None:
    kept = retention_ends(
        first_service=date(2015, 1, 5),
        last_service=date(2020, 3, 1),
        date_of_birth=date(1990, 4, 2),
        years=7,
    )
    assert (kept.ends_on, kept.rule) == (date(2027, 3, 1), "years_after_last_service")


def test_a_minors_records_are_kept_three_years_past_majority_when_that_is_later() -> None:
    kept = retention_ends(
        first_service=date(2012, 1, 5),
        last_service=date(2013, 1, 5),
        date_of_birth=date(2008, 2, 29),
        years=7,
    )
    assert (kept.ends_on, kept.rule) == (date(2029, 2, 28), "years_after_majority")


def test_the_minor_rule_does_not_apply_to_a_client_first_seen_as_an_adult() -> None:
    kept = retention_ends(
        first_service=date(2020, 1, 5),
        last_service=date(2020, 1, 5),
        date_of_birth=date(2001, 6, 1),
        years=1,
    )
    assert kept.ends_on == date(2021, 1, 5)


def _served(practice, *, ended_years_ago: float, born: str) -> str:  # type: ignore[no-untyped-def]
    clinician = practice.clinician()
    client = practice.post("/v1/clients", {"display_name": "Kit", "date_of_birth": born})
    start = NOW - timedelta(days=365.25 * ended_years_ago, minutes=50)
    response = practice.post(
        "/v1/sessions",
        {
            "clinician_id": clinician,
            "client_id": client.get_json()["id"],
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
        },
    )
    session = response.get_json()
    assert practice.post(f"/v1/sessions/{session['id']}/checkins", GOOD_CHECKIN).status_code == 202
    assert sign(practice, session).status_code == 200
    return str(session["id"])


def _held(session_id: str) -> tuple[int, int]:
    key = uuid.UUID(session_id)
    count = func.count()
    return (
        db.session.scalar(select(count).select_from(CheckIn).where(CheckIn.session_id == key)),
        db.session.scalar(
            select(count).select_from(ReportVersion).where(ReportVersion.session_id == key)
        ),
    )


def test_retention_deletes_only_what_is_past_its_period(app, make_practice):
    practice = make_practice()
    expired = _served(practice, ended_years_ago=7.2, born="1980-01-01")
    recent = _served(practice, ended_years_ago=6.8, born="1980-01-01")
    minor = _served(practice, ended_years_ago=7.5, born="2011-01-01")  # 21 in 2032
    short = make_practice("short retention")
    with app.app_context():
        db.session.get_one(Practice, short.id).retention_years = 3
        db.session.commit()
    short_expired = _served(short, ended_years_ago=3.5, born="1980-01-01")

    with app.app_context():
        retention.enforce_retention(db.session, NOW)
        assert _held(expired) == (0, 0)
        assert _held(short_expired) == (0, 0)
        assert _held(recent) == (1, 1)
        assert _held(minor) == (1, 1)
        deletions = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "delete",
                AuditEvent.resource_id.in_([expired, recent, minor, short_expired]),
            )
        ).all()
        assert sorted(e.resource_id for e in deletions) == sorted([expired, short_expired])
        assert {e.actor_type for e in deletions} == {"system"}
        first = next(e for e in deletions if e.resource_id == expired)
        assert first.detail["checkins"] == 1 and first.detail["report_versions"] == 1
        # a second sweep finds nothing more to delete, and writes nothing
        retention.enforce_retention(db.session, NOW)
        again = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "delete", AuditEvent.resource_id == expired)
        )
        assert again == 1
