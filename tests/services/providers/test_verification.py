"""Every provider refuses what its platform did not sign, and only ever with SignatureInvalid."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from teleframe.services.providers import PROVIDERS, InboundRequest, SignatureInvalid

from . import signing

SENT = 1796144523  # 2026-12-01T17:02:03Z


@dataclass(frozen=True)
class Case:
    name: str
    secret: str
    wrong_secret: str
    fixtures: tuple[str, ...]
    sign: Callable[[bytes, str], InboundRequest]
    signature_headers: tuple[str, ...]
    timestamp_header: str | None

    def signed(self, path: str) -> tuple[InboundRequest, datetime]:
        body = signing.fixture(path)
        return self.sign(body, self.secret), self.sent_at(body)

    def sent_at(self, body: bytes) -> datetime:
        if self.timestamp_header is not None:
            return signing.at(SENT)
        stamp = parse_qs(body.decode())["Timestamp"][0]
        return datetime.fromisoformat(stamp)


CASES = [
    Case(
        "zoom",
        signing.ZOOM_SECRET,
        "zm_other_secret",
        ("zoom/meeting_started.json", "zoom/participant_left_network.json"),
        lambda body, secret: signing.zoom(body, secret=secret, timestamp=SENT),
        ("x-zm-signature", "x-zm-request-timestamp"),
        "x-zm-request-timestamp",
    ),
    Case(
        "twilio",
        signing.TWILIO_TOKEN,
        "another_auth_token",
        ("twilio/participant_connected.form", "twilio/participant_disconnected.form"),
        lambda body, secret: signing.twilio(body, token=secret),
        ("x-twilio-signature",),
        None,
    ),
    Case(
        "daily",
        signing.DAILY_SECRET,
        "b3RoZXItc2VjcmV0LWtleS0zMi1ieXRlcy1sb25nIQ==",
        ("daily/participant_joined.json", "daily/participant_left.json"),
        lambda body, secret: signing.daily(body, secret=secret, timestamp=SENT),
        ("x-webhook-signature", "x-webhook-timestamp"),
        "x-webhook-timestamp",
    ),
    Case(
        "standard",
        signing.STANDARD_SECRET,
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ("standard/participant_left.json", "standard/modality_changed.json"),
        lambda body, secret: signing.standard(body, secret=secret, timestamp=SENT),
        ("webhook-id", "webhook-signature", "webhook-timestamp"),
        "webhook-timestamp",
    ),
]
BY_FIXTURE = [pytest.param(case, path, id=path) for case in CASES for path in case.fixtures]
BY_CASE = [pytest.param(case, id=case.name) for case in CASES]


def refusal(case: Case, request: InboundRequest, now: datetime) -> str:
    with pytest.raises(SignatureInvalid) as caught:
        PROVIDERS[case.name].verify(request, case.secret, now=now)
    return str(caught.value)


@pytest.mark.parametrize(("case", "path"), BY_FIXTURE)
def test_signed_sample_verifies(case: Case, path: str) -> None:
    request, sent_at = case.signed(path)
    PROVIDERS[case.name].verify(request, case.secret, now=sent_at + timedelta(seconds=2))


@pytest.mark.parametrize(("case", "path"), BY_FIXTURE)
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_one_byte_change_is_refused(case: Case, path: str, data: st.DataObject) -> None:
    request, sent_at = case.signed(path)
    body = bytearray(request.body)
    index = data.draw(st.integers(0, len(body) - 1), label="index")
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != body[index]), label="byte")
    body[index] = replacement
    if case.name == "twilio":  # Twilio signs the decoded parameters, not the bytes
        assume(_decoded(bytes(body)) != _decoded(request.body))
    refusal(case, signing.with_body(request, bytes(body)), sent_at)


def _decoded(body: bytes) -> object:
    try:
        return parse_qs(body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize("case", BY_CASE)
def test_a_wrong_secret_is_refused(case: Case) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    with pytest.raises(SignatureInvalid, match="does not match"):
        PROVIDERS[case.name].verify(request, case.wrong_secret, now=sent_at)


@pytest.mark.parametrize("case", BY_CASE)
@pytest.mark.parametrize("skew", [-301, 301, 3600, -86400])
def test_a_stale_or_future_timestamp_is_refused(case: Case, skew: int) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    message = refusal(case, request, sent_at + timedelta(seconds=skew))
    assert "300 s window" in message


@pytest.mark.parametrize("case", BY_CASE)
@pytest.mark.parametrize("skew", [-299, 0, 299])
def test_a_timestamp_inside_the_window_is_accepted(case: Case, skew: int) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    PROVIDERS[case.name].verify(request, case.secret, now=sent_at + timedelta(seconds=skew))


@pytest.mark.parametrize("case", BY_CASE)
def test_a_missing_header_is_refused(case: Case) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    for header in case.signature_headers:
        message = refusal(case, signing.with_headers(request, **{header: None}), sent_at)
        assert message == f"missing {header} header"


MALFORMED = ["", " ", "garbage", "v0=", "v0=zz", "v1,a,b", "v1,abc", "v1a,AAAA", "sha256=00", "=="]


@pytest.mark.parametrize("case", BY_CASE)
@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_signature_header_is_refused(case: Case, value: str) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    header = case.signature_headers[0] if case.name != "standard" else "webhook-signature"
    refusal(case, signing.with_headers(request, **{header: value}), sent_at)


@pytest.mark.parametrize("case", BY_CASE)
@settings(max_examples=80)
@given(value=st.text(st.characters(codec="latin-1"), max_size=80))
def test_any_header_value_is_refused_without_crashing(case: Case, value: str) -> None:
    """Headers arrive latin-1 decoded; whatever they hold, the answer is a refusal, never a 500."""
    request, sent_at = case.signed(case.fixtures[0])
    for header in case.signature_headers:
        original = request.header(header)
        assume(value != original)
        changed = signing.with_headers(request, **{header: value})
        refusal(case, changed, sent_at)


@pytest.mark.parametrize("case", BY_CASE)
def test_refusals_name_no_secret_and_no_body(case: Case) -> None:
    request, sent_at = case.signed(case.fixtures[0])
    tampered = signing.with_body(request, request.body.replace(b"1", b"2", 1))
    message = refusal(case, tampered, sent_at)
    assert case.secret not in message
    assert not re.search(r"appt-981|86431910364|client-4411|p-7f3a|\d{6,}", message)
