"""Requests signed the way each platform signs them, computed here independently of teleframe."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

from standardwebhooks import Webhook

from teleframe.services.providers import InboundRequest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "providers"
ZOOM_SECRET = "zm_secret_token_0123456789"
TWILIO_TOKEN = "twilio_auth_token_abcdef0123456789"
DAILY_SECRET = base64.b64encode(b"daily-hmac-secret-32-bytes-long!").decode()
STANDARD_SECRET = "whsec_" + base64.b64encode(b"standard-webhooks-secret-24b").decode()
TWILIO_URL = "https://teleframe.example/hooks/twilio/int_7d1c"


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def zoom(body: bytes, *, secret: str = ZOOM_SECRET, timestamp: int) -> InboundRequest:
    message = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": str(timestamp),
        "x-zm-signature": f"v0={digest}",
        "x-zm-trackingid": "v=2.0;clid=us06;rid=WEB_1a2b3c",
    }
    return InboundRequest("https://teleframe.example/hooks/zoom/int_1", headers, body)


def twilio(body: bytes, *, token: str = TWILIO_TOKEN, url: str = TWILIO_URL) -> InboundRequest:
    params = parse_qs(body.decode(), keep_blank_values=True)
    message = url + "".join(k + v for k in sorted(params) for v in sorted(params[k]))
    digest = hmac.new(token.encode(), message.encode(), hashlib.sha1).digest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": base64.b64encode(digest).decode(),
    }
    return InboundRequest(url, headers, body)


def daily(body: bytes, *, secret: str = DAILY_SECRET, timestamp: int) -> InboundRequest:
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(base64.b64decode(secret), message, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Webhook-Timestamp": str(timestamp),
    }
    return InboundRequest("https://teleframe.example/hooks/daily/int_2", headers, body)


def standard(
    body: bytes, *, secret: str = STANDARD_SECRET, timestamp: int, msg_id: str = "msg_2KWPBgLlAfx"
) -> InboundRequest:
    signature = Webhook(secret).sign(msg_id, at(timestamp), body.decode())
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }
    return InboundRequest("https://teleframe.example/hooks/standard/int_3", headers, body)


def with_headers(request: InboundRequest, **changes: str | None) -> InboundRequest:
    """The request with headers replaced (underscores for dashes) or removed (None)."""
    headers = dict(request.headers)
    for name, value in changes.items():
        key = name.replace("_", "-").lower()
        headers.pop(key, None)
        if value is not None:
            headers[key] = value
    return InboundRequest(request.url, headers, request.body)


def with_body(request: InboundRequest, body: bytes) -> InboundRequest:
    return InboundRequest(request.url, request.headers, body)
