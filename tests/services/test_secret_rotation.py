"""Which secrets are valid when, after a rotation (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from teleframe.services import secret_rotation

NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@dataclass
class Row:
    secret: str
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None


def test_both_during_the_overlap_the_new_one_first_then_only_the_new():
    row = Row("old")
    secret_rotation.rotate(row, "new", NOW)
    assert secret_rotation.active(row, NOW) == ("new", "old")
    assert secret_rotation.active(row, NOW + timedelta(hours=23, minutes=59)) == ("new", "old")
    assert secret_rotation.active(row, NOW + timedelta(hours=24)) == ("new",)


def test_a_second_rotation_keeps_only_the_one_before_it():
    row = Row("first")
    secret_rotation.rotate(row, "second", NOW)
    secret_rotation.rotate(row, "third", NOW + timedelta(hours=1))
    assert secret_rotation.active(row, NOW + timedelta(hours=2)) == ("third", "second")


def test_no_overlap_ends_the_old_secret_at_once():
    row = Row("old")
    secret_rotation.rotate(row, "new", NOW, timedelta(0))
    assert secret_rotation.active(row, NOW) == ("new",)
    assert row.previous_secret is None and row.previous_secret_until is None
