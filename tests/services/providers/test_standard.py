"""Standard Webhooks senders and events reported directly through the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from teleframe.services.providers import PROVIDERS, InboundRequest, PayloadInvalid, SignatureInvalid
from teleframe.services.providers.standard import event_from_report

from . import signing

standard = PROVIDERS["standard"]
RECEIVED = datetime(2026, 12, 1, 17, 20, tzinfo=UTC)


def test_the_published_test_vector_verifies() -> None:
    headers = {
        "webhook-id": "msg_loFOjxBNrRLzqYUf",
        "webhook-timestamp": "1731705121",
        "webhook-signature": "v1,rAvfW3dJ/X/qxhsaXPOyyCGmRKsaKWcsNccKXlIktD0=",
    }
    request = InboundRequest(
        "https://t.example/hooks/standard/1",
        headers,
        b'{"event_type":"ping","data":{"success":true}}',
    )
    standard.verify(
        request, "whsec_plJ3nmyCDGBKInavdOK15jsl", now=datetime.fromtimestamp(1731705121, UTC)
    )


def test_any_matching_signature_verifies_during_key_rotation() -> None:
    request = signing.standard(
        signing.fixture("standard/participant_left.json"), timestamp=1796144523
    )
    good = request.header("webhook-signature")
    rotated = f"v1a,c2lnbmF0dXJl v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= {good}"
    changed = signing.with_headers(request, webhook_signature=rotated)
    standard.verify(changed, signing.STANDARD_SECRET, now=datetime.fromtimestamp(1796144523, UTC))


def test_teleframe_events_normalise_with_the_webhook_id_as_dedupe_key() -> None:
    request = signing.standard(
        signing.fixture("standard/modality_changed.json"), timestamp=1796144523, msg_id="msg_91x"
    )
    [event] = standard.normalize(request)
    assert (event.kind, event.modality, event.reason) == (
        "modality.changed",
        "phone",
        "client_not_capable",
    )
    assert event.dedupe_key == standard.dedupe_key(request) == "standard:msg_91x"
    assert standard.room_id(request) == "appt-981"
    assert standard.challenge_response(request, signing.STANDARD_SECRET) is None


def test_unknown_types_are_ignored() -> None:
    request = signing.standard(b'{"type":"contact.created","data":{}}', timestamp=1)
    assert standard.normalize(request) == []


def test_a_reported_event_uses_the_client_idempotency_id() -> None:
    report = {
        "id": "evt-77",
        "type": "backup_plan.invoked",
        "timestamp": "2026-12-01T17:13:00-05:00",
    }
    event = event_from_report(report, received_at=RECEIVED)
    assert event.dedupe_key == "report:evt-77"
    assert event.occurred_at == datetime(2026, 12, 1, 22, 13, tzinfo=UTC)
    assert event.received_at == RECEIVED
    assert (
        event_from_report(report, received_at=RECEIVED, idempotency_key="hdr-1").dedupe_key
        == "report:hdr-1"
    )


def test_a_reported_event_without_an_id_is_keyed_by_its_content() -> None:
    report = json.loads(signing.fixture("standard/modality_changed.json"))
    first = event_from_report(report, received_at=RECEIVED)
    again = event_from_report(report, received_at=datetime(2026, 12, 1, 18, tzinfo=UTC))
    other = event_from_report({**report, "timestamp": "2026-12-01T17:15:00Z"}, received_at=RECEIVED)
    assert first.dedupe_key == again.dedupe_key != other.dedupe_key
    assert first.dedupe_key.startswith("report:sha256:")


def test_a_reported_event_without_a_timestamp_happened_when_received() -> None:
    event = event_from_report(
        {"type": "modality.changed", "data": {"modality": "phone"}}, received_at=RECEIVED
    )
    assert event.occurred_at == RECEIVED


@pytest.mark.parametrize(
    ("report", "field"),
    [
        ({"type": "participant.vanished"}, "type"),
        ({"type": "participant.left", "timestamp": "17:12"}, "timestamp"),
        ({"type": "participant.left", "timestamp": "2026-12-01T17:12:03"}, "timestamp"),
        ({"type": "participant.left", "data": {"reason": "bored"}}, "data.reason"),
        ({"type": "modality.changed", "data": {}}, "data.modality"),
        ({"type": "modality.changed", "data": {"modality": "fax"}}, "data.modality"),
        ({"type": "participant.joined", "data": {"role": "doctor"}}, "data.role"),
        ({"type": "participant.joined", "data": {"participant_key": " "}}, "data.participant_key"),
        (
            {
                "type": "modality.changed",
                "data": {"modality": "phone", "reason": "Called +15105550123"},
            },
            "data.reason",
        ),
        ({"type": "participant.joined", "data": {"note": "x\u0000"}}, "data.note"),
        ({"type": "participant.joined", "data": {"surprise": 1}}, "data.surprise"),
        ({"type": "participant.joined", "data": []}, "data"),
        ({"id": 7, "type": "participant.joined"}, "id"),
    ],
)
def test_an_invalid_report_names_the_field(report: dict[str, object], field: str) -> None:
    with pytest.raises(PayloadInvalid) as caught:
        event_from_report(report, received_at=RECEIVED)
    assert field in caught.value.errors


@settings(max_examples=60, deadline=None)
@given(
    body=st.binary(max_size=200).map(lambda raw: raw.decode("latin-1").encode()),
    msg_id=st.from_regex(r"msg_[A-Za-z0-9]{1,24}", fullmatch=True),
    tamper=st.sampled_from(["none", "body", "id", "secret", "rotated"]),
)
def test_verification_agrees_with_the_standard_webhooks_library(
    body: bytes, msg_id: str, tamper: str
) -> None:
    now = datetime.now(UTC)
    signer = Webhook(signing.STANDARD_SECRET)
    signature = signer.sign(msg_id=msg_id, timestamp=now, data=body.decode())
    if tamper == "secret":
        signature = Webhook("whsec_" + "A" * 32).sign(msg_id, now, body.decode())
    if tamper == "rotated":
        signature = f"v1,c2lnbmF0dXJlLW9mLWFuLW9sZC1rZXk= {signature}"
    headers = {
        "webhook-id": msg_id + ("x" if tamper == "id" else ""),
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    sent = body + b"!" if tamper == "body" else body
    try:
        signer.verify(sent, headers, json_parse=False)
        library_accepts = True
    except WebhookVerificationError:
        library_accepts = False
    try:
        standard.verify(
            InboundRequest("https://t.example/h", headers, sent), signing.STANDARD_SECRET, now=now
        )
        teleframe_accepts = True
    except SignatureInvalid:
        teleframe_accepts = False
    assert teleframe_accepts == library_accepts == (tamper in ("none", "rotated"))


@pytest.mark.parametrize("key", ["sam@example.test", "+1 510 555 0123", "Sam Client"])
def test_participant_keys_are_stored_hashed(key: str) -> None:
    event = event_from_report(
        {"type": "participant.joined", "data": {"participant_key": key, "role": "client"}},
        received_at=RECEIVED,
    )
    assert event.participant_key is not None and event.participant_key.startswith("h:")
    assert key not in event.to_dict().values()
    again = event_from_report(
        {"type": "participant.left", "data": {"participant_key": key, "reason": "network"}},
        received_at=RECEIVED,
    )
    assert again.participant_key == event.participant_key  # joins and leaves still pair up


def test_free_text_goes_in_the_note() -> None:
    event = event_from_report(
        {
            "type": "modality.changed",
            "data": {"modality": "phone", "reason": "other", "note": "Called +15105550123"},
        },
        received_at=RECEIVED,
    )
    assert (event.reason, event.note) == ("other", "Called +15105550123")
