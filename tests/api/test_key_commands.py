"""`teleframe key add|list|revoke|rotate` and the older `teleframe keys ...`: one set of
commands, against the real database, seen through the API."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from teleframe import cli
from teleframe.extensions import db
from teleframe.models import AuditEvent
from tests.conftest import settings_env

SESSIONS = "/v1/sessions?date=2026-12-01"
KEY = re.compile(r"tf_[A-Za-z0-9]{40}")


@pytest.fixture
def run(settings, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli.main, list(args))

    return invoke


def _works(practice, key: str) -> int:  # type: ignore[no-untyped-def]
    return int(practice.http.get(SESSIONS, headers={"Authorization": f"Bearer {key}"}).status_code)


def test_key_and_keys_add_list_rotate_and_revoke_the_same_keys(app, make_practice, run):
    practice = make_practice()
    added = run("key", "add", str(practice.id), "--label", "EHR sync", "--role", "platform")
    assert added.exit_code == 0, added.output
    key = KEY.fullmatch(added.stdout.strip()).group(0)  # type: ignore[union-attr]
    created = run("keys", "create", str(practice.id), "--label", "old name")
    assert created.exit_code == 0 and KEY.fullmatch(created.stdout.strip()), created.output
    assert _works(practice, key) == 200

    listed = run("key", "list", str(practice.id))
    assert listed.exit_code == 0 and listed.stdout == run("keys", "list", str(practice.id)).stdout
    line = next(row for row in listed.stdout.splitlines() if row.endswith("EHR sync"))
    assert line.startswith(f"{key[:10]}...  platform  active  ")
    assert re.search(r"  \d{4}-\d\d-\d\dT\d\d:\d\dZ  EHR sync$", line)  # used just now
    assert key not in listed.output

    rotated = run("key", "rotate", key[:10])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.stdout.strip()
    assert KEY.fullmatch(new) and new != key
    assert _works(practice, key) == 401 and _works(practice, new) == 200
    ids = {row["label"]: row["id"] for row in practice.get("/v1/api-keys").get_json()}

    revoked = run("key", "revoke", new[:10])
    assert revoked.exit_code == 0 and "revoked 1 key(s)" in revoked.output
    assert _works(practice, new) == 401
    assert "revoked" in run("keys", "list", str(practice.id)).output
    with app.app_context():
        trail = db.session.scalars(
            select(AuditEvent).where(AuditEvent.resource_id == ids["EHR sync"])
        ).all()
    assert sorted((event.action, event.actor_id) for event in trail) == [
        ("create", "teleframe key add"),
        ("disable", "teleframe key revoke"),
        ("rotate", "teleframe key rotate"),
    ]


def test_refusals_exit_1_and_change_nothing(make_practice, run):
    practice = make_practice()
    own = practice.get("/v1/api-keys").get_json()[0]
    last = run("key", "revoke", own["prefix"])
    assert last.exit_code == 1 and "last active admin key" in last.output
    assert practice.get(SESSIONS).status_code == 200
    unknown = run("key", "rotate", "tf_nothere")
    assert unknown.exit_code == 1 and "0 active keys" in unknown.output
    missing = run("key", "add", "00000000-0000-0000-0000-000000000000")
    assert missing.exit_code == 1 and "no such practice" in missing.output
    for label in ("x" * 201, "a\x00b", "<script>\x1b[2J"):
        bad = run("key", "add", str(practice.id), "--label", label)
        assert bad.exit_code == 2 and "--label" in bad.output, label
    assert run("key", "add", "not-a-uuid").exit_code == 2
    assert len(practice.get("/v1/api-keys").get_json()) == 1


def test_the_prefix_as_listed_or_the_whole_key_names_it_and_a_typo_is_an_error(make_practice, run):
    practice = make_practice()
    made = [run("key", "add", str(practice.id), "--label", f"k{n}").stdout.strip() for n in (1, 2)]
    shown = next(r for r in run("key", "list", str(practice.id)).stdout.splitlines() if "k1" in r)
    rotated = run("key", "rotate", shown.split()[0])  # "tf_AbCdEfG..." copied from the list
    assert rotated.exit_code == 0 and KEY.fullmatch(rotated.stdout.strip()), rotated.output
    assert _works(practice, made[0]) == 401
    revoked = run("key", "revoke", made[1])  # a leaked key, pasted whole
    assert revoked.exit_code == 0 and "revoked 1 key(s)" in revoked.output
    assert _works(practice, made[1]) == 401
    typo = run("key", "revoke", "tf_nothere")
    assert typo.exit_code == 1 and "nothing revoked" in typo.output
    assert _works(practice, rotated.output.strip()) == 200
