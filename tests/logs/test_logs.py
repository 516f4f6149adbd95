"""Structured logs: JSON lines, redaction at any depth, request ids, the console format."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from config.settings import load_settings
from teleframe.runtime import logs


@pytest.fixture(autouse=True)
def _json_again() -> Iterator[None]:
    yield
    logs.configure("json")  # as the session's app set it


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_keys_that_carry_phi_or_secrets_are_masked_at_any_depth(capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure("json")
    logs.get("test").info(
        "checked",
        count=3,
        answers={"location": {"locality": "Oakland"}},
        client={"display_name": "Sam Client", "callbackPhone": "+15105550123", "status": "ok"},
        headers=[{"Authorization": "Bearer tf_secret"}, {"webhook-signature": "v1,abc"}],
        email="sam@example.org",
        note="Called at home",
    )
    (line,) = _lines(capsys)
    text = json.dumps(line)
    for value in ("Oakland", "Sam Client", "+15105550123", "tf_secret", "v1,abc", "sam@", "home"):
        assert value not in text, value
    assert line["count"] == 3 and line["client"]["status"] == "ok"
    assert line["answers"] == logs.REDACTED and line["headers"][0]["Authorization"] == logs.REDACTED
    assert {"timestamp", "level", "event", "logger"} <= set(line)


def test_standard_library_records_are_json_and_redacted_too(capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure("json")
    logging.getLogger("celery.test").info("plain %s", "words", extra={"phone": "+14155550188"})
    (line,) = _lines(capsys)
    assert line["event"] == "plain words" and line["phone"] == logs.REDACTED
    assert line["level"] == "info" and line["logger"] == "celery.test"


def test_console_format_is_for_a_person(capsys) -> None:  # type: ignore[no-untyped-def]
    logs.configure("console")
    logs.get("test").info("started", secret="whsec_abc")
    err = capsys.readouterr().err
    assert "started" in err and "whsec_abc" not in err and not err.startswith("{")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(RuntimeError, match="TELEFRAME_LOG_FORMAT"):
        logs.configure("xml")


def test_embedded_defaults_to_console_and_production_to_json(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TELEFRAME_DATA_DIR", str(tmp_path))
    for name in ("BROKER_URL", "DATABASE_URL", "LOG_FORMAT"):
        monkeypatch.delenv(f"TELEFRAME_{name}", raising=False)
    assert load_settings().log_format == "console"
    monkeypatch.setenv("TELEFRAME_LOG_FORMAT", "json")
    assert load_settings().log_format == "json"
    monkeypatch.setenv("TELEFRAME_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TELEFRAME_PUBLIC_URL", "https://x.example")
    monkeypatch.setenv("TELEFRAME_SECRET_KEY", "s")
    monkeypatch.setenv("TELEFRAME_ENCRYPTION_KEYS", "1:" + "a" * 43)
    monkeypatch.delenv("TELEFRAME_LOG_FORMAT")
    assert load_settings().log_format == "json"


@pytest.mark.services
@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("abc-123.X:y_z", True),
        ("a" * 129, False),
        ("has space", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_well_formed_request_id_is_echoed_else_one_is_made(client, capsys, offered, kept) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/healthz", headers={"X-Request-Id": offered} if offered else {})
    echoed = answer.headers["X-Request-Id"]
    assert (echoed == offered) is kept
    if not kept:
        assert len(echoed) == 32 and int(echoed, 16) >= 0
    requests = [line for line in _lines(capsys) if line["event"] == "request"]
    assert requests[-1]["request_id"] == echoed and requests[-1]["route"] == "/healthz"
    assert "practice_id" not in requests[-1]  # nobody authenticated


@pytest.mark.services
def test_a_database_error_names_no_values(app) -> None:  # type: ignore[no-untyped-def]
    """Tracebacks are logged; SQLAlchemy keeps the statement's parameters out of them."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from teleframe.extensions import db

    with app.app_context():
        with pytest.raises(DBAPIError) as raised:
            db.session.execute(text("SELECT CAST(:v AS text), 1 / 0"), {"v": "Lakeshore Ave"})
        db.session.rollback()
    assert "Lakeshore" not in str(raised.value)
