"""The status page's words for a verdict: per-language policy text, catalogue, emergency lines."""

from __future__ import annotations

from teleframe.services.report import build_report
from teleframe.web import verdict
from tests.services.report.sample import CHECKIN_DATA, sample_input

CUSTOM = {
    "code": "CUSTOM_RULE",
    "message": "Not from work please.",
    "messages": {"es": "Desde el trabajo no."},
}


def test_the_policy_text_for_the_language_wins_then_the_catalogue_then_english(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert verdict.client_message(CUSTOM, "es") == "Desde el trabajo no."
        built_in = {
            "code": "NOT_READY",
            "message": "Please check in when it is a good time to talk.",
        }
        assert verdict.client_message(built_in, "es") == (
            "Regístrese cuando sea un buen momento para hablar."
        )
        unknown = {"code": "CUSTOM_RULE", "message": "A practice's own words."}
        assert verdict.client_message(unknown, "es") == "A practice's own words."
    with app.test_request_context():
        assert verdict.client_message(CUSTOM, "en") == "Not from work please."


def test_emergency_lines_are_dialable():
    facts = {"emergency": {"emergency_number": "999", "crisis_line": "116 123", "source": "x"}}
    assert verdict.emergency_lines(facts) == {"emergency_number": "999", "crisis_line": "116 123"}
    assert (
        verdict.dial("116 123") == "116123" and verdict.dial("+1 (510) 555-0123") == "+15105550123"
    )
    assert (
        verdict.emergency_lines({"emergency": {"emergency_number": None, "crisis_line": "call"}})
        == {}
    )
    assert verdict.emergency_lines(None) == {}


def test_the_report_shows_consent_and_counts_it_as_captured():
    data = {
        **CHECKIN_DATA,
        "consent": {"agreed": True, "version": "v7", "agreed_at": "2026-12-01T16:50:00+00:00"},
    }
    checkin = {"id": "chk_1", "submitted_at": "2026-12-01T16:52:30Z", "data": data}
    report = build_report(sample_input(checkin=checkin))
    assert report["consent"] == {
        "agreed": True,
        "version": "v7",
        "agreed_at": "2026-12-01T16:50:00+00:00",
    }
    [element] = [e for e in report["completeness"]["elements"] if e["id"] == "telehealth_consent"]
    assert element["status"] == "captured" and "v7" in element["detail"]
    without = build_report(sample_input())
    [element] = [e for e in without["completeness"]["elements"] if e["id"] == "telehealth_consent"]
    assert element["status"] == "missing"
