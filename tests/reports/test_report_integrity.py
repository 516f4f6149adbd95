"""Tamper evidence: the chain catches edits made behind teleframe's back; a trigger refuses them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from teleframe.extensions import db
from tests.conftest import settings_env
from tests.reports.helpers import (
    amend,
    report_path,
    session_only,
    sign,
    stored_versions,
    tamper,
)


def _signed_and_amended(practice) -> dict:  # type: ignore[no-untyped-def,type-arg]
    session = session_only(practice)
    practice.post(f"/v1/sessions/{session['id']}/checkins", {"location": {"country": "US"}})
    assert sign(practice, session).status_code == 200
    assert amend(practice, session, "Late note.").status_code == 201
    return session


def _cli_verify(settings, session_id: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """`teleframe report verify` in its own process, as an operator would run it."""
    command = [sys.executable, "-c", "from teleframe.cli import main; main()"]
    return subprocess.run(
        [*command, "report", "verify", session_id],
        env={**os.environ, **settings_env(settings)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_untouched_chain_verifies(make_practice, settings):
    practice = make_practice()
    session = _signed_and_amended(practice)
    verdict = practice.get(report_path(session, "/verify")).get_json()
    assert verdict["ok"] is True and verdict["checked"] == 2
    assert verdict["head_hash"] == stored_versions(practice.app, session["id"])[-1]["content_hash"]
    result = _cli_verify(settings, session["id"])
    assert result.returncode == 0, result.stderr
    assert "ok: 2 version(s)" in result.stdout


def test_an_edited_content_hash_is_detected(app, make_practice, settings):
    practice = make_practice()
    session = _signed_and_amended(practice)
    tamper(
        app,
        "UPDATE report_versions SET content_hash = :h WHERE session_id = :s AND number = 1",
        h="sha256:" + "f" * 64,
        s=session["id"],
    )

    verdict = practice.get(report_path(session, "/verify")).get_json()

    assert verdict["ok"] is False and verdict["broken_at"] == 1
    assert "content hash was altered" in verdict["reason"]
    result = _cli_verify(settings, session["id"])
    assert result.returncode == 1
    assert "BROKEN at version 1" in result.stderr


def test_a_swapped_body_is_detected(app, make_practice, settings):
    """Version 2's ciphertext copied over version 1: it decrypts, but no longer hashes right."""
    practice = make_practice()
    session = _signed_and_amended(practice)
    tamper(
        app,
        "UPDATE report_versions SET body = (SELECT body FROM report_versions "
        "WHERE session_id = :s AND number = 2) WHERE session_id = :s AND number = 1",
        s=session["id"],
    )

    verdict = practice.get(report_path(session, "/verify")).get_json()

    assert verdict["ok"] is False and verdict["broken_at"] == 1
    assert "body was altered" in verdict["reason"]
    assert _cli_verify(settings, session["id"]).returncode == 1


def test_edited_ciphertext_is_detected(app, make_practice, settings):
    practice = make_practice()
    session = _signed_and_amended(practice)
    tamper(
        app,
        "UPDATE report_versions SET body = left(body, -6) || 'AAAAAA' "
        "WHERE session_id = :s AND number = 2",
        s=session["id"],
    )

    verdict = practice.get(report_path(session, "/verify")).get_json()

    assert verdict["ok"] is False and verdict["broken_at"] == 2
    assert "does not decrypt" in verdict["reason"]
    result = _cli_verify(settings, session["id"])
    assert result.returncode == 1 and "BROKEN at version 2" in result.stderr
    read = practice.get(report_path(session))
    assert read.status_code == 409
    assert "integrity" in read.get_json()["detail"]


def test_the_database_refuses_to_change_a_signed_version(app, make_practice):
    practice = make_practice()
    session = _signed_and_amended(practice)
    for statement in (
        "UPDATE report_versions SET content_hash = 'x' WHERE session_id = :s AND number = 1",
        "UPDATE report_versions SET body = body WHERE session_id = :s AND number = 2",
        "DELETE FROM report_versions WHERE session_id = :s",
    ):
        with app.app_context(), pytest.raises(IntegrityError, match="signed versions never change"):
            db.session.execute(text(statement), {"s": session["id"]})
    assert len(stored_versions(app, session["id"])) == 2


def test_audit_events_are_append_only(app, make_practice):
    practice = make_practice()
    session = session_only(practice)
    practice.get(report_path(session))
    for statement in (
        "UPDATE audit_events SET actor_id = 'someone' WHERE resource_id = :s",
        "DELETE FROM audit_events WHERE resource_id = :s",
    ):
        with app.app_context(), pytest.raises(IntegrityError, match="append-only"):
            db.session.execute(text(statement), {"s": session["id"]})
