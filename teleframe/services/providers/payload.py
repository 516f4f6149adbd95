"""Reading a provider's payload safely: bounded numbers, times, keys and JSON, header checks,
constant-time digests, and keys that never hold a name or number in clear."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from teleframe.services.json_depth import too_deep
from teleframe.services.moments import bounded_utc
from teleframe.services.providers import (
    MAX_KEY_LENGTH,
    MAX_ROOM_LENGTH,
    REPLAY_WINDOW,
    InboundRequest,
    PayloadInvalid,
    SignatureInvalid,
    _require,
    as_utc,
    storable,
)


def number(value: object, field_name: str, *, low: float, high: float) -> float:
    """A finite JSON number (or numeric string) within [low, high]; never a boolean."""
    try:
        if isinstance(value, bool):
            raise ValueError
        parsed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise PayloadInvalid("not a number", {field_name: "not a number"}) from None
    _require(low <= parsed <= high, field_name, f"a number between {low:g} and {high:g}")
    return parsed


def room_text(value: object) -> str | None:
    """A room or meeting id as a string; refused when too long or holding control characters."""
    room = text(value)
    _require(
        room is None or (len(room) <= MAX_ROOM_LENGTH and storable(room)),
        "room_id",
        f"at most {MAX_ROOM_LENGTH} printable characters",
    )
    return room


def from_epoch(value: object, field_name: str = "time") -> datetime:
    """Unix seconds (int, float or numeric string) as UTC."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
        return bounded_utc(datetime.fromtimestamp(seconds, UTC))
    except (TypeError, ValueError, OverflowError, OSError):
        raise PayloadInvalid("not a Unix time", {field_name: "not a Unix time"}) from None


def parse_json_object(body: bytes) -> dict[str, Any]:
    if too_deep(body):
        raise PayloadInvalid("body nests too deeply")
    try:
        data = json.loads(body, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PayloadInvalid("body is not JSON") from None
    if not isinstance(data, dict):
        raise PayloadInvalid("body is not a JSON object")
    return data


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python's extension, not JSON


def require_header(request: InboundRequest, name: str) -> str:
    value = request.header(name)
    if not value:
        raise SignatureInvalid(f"missing {name} header")
    return value


def check_fresh(
    timestamp: datetime, now: datetime, window: timedelta = REPLAY_WINDOW, *, what: str
) -> None:
    """Refuse a signed time outside the replay window, in either direction."""
    skew = abs(as_utc(now, "now") - timestamp)
    if skew > window:
        raise SignatureInvalid(f"{what} is outside the {int(window.total_seconds())} s window")


def unix_header_time(request: InboundRequest, name: str) -> datetime:
    """A header holding whole Unix seconds (or milliseconds), as UTC."""
    raw = require_header(request, name)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 16:
        raise SignatureInvalid(f"malformed {name} header")
    number = int(raw)
    seconds = number / 1000 if number > 10**11 else number
    try:
        return bounded_utc(datetime.fromtimestamp(seconds, UTC))
    except (ValueError, OverflowError, OSError):  # 16 digits reach past the year 9999
        raise SignatureInvalid(f"malformed {name} header") from None


def same_digest(expected: bytes, given: bytes) -> bool:
    return hmac.compare_digest(expected, given)


def hmac_digest(key: bytes, message: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(key, message, algorithm).digest()


def bounded_key(provider: str, *parts: object) -> str:
    """`provider:part|part|...`, hashed when longer than a database key should be."""
    key = f"{provider}:" + "|".join("" if part is None else str(part) for part in parts)
    if len(key) <= MAX_KEY_LENGTH and storable(key):
        return key
    # surrogatepass: a lone surrogate from a platform's JSON is hashed, never an escaping error
    return f"{provider}:sha256:{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


def pseudonym(value: str) -> str:
    """A stable key for an identifier the platform's app chose (it may be a name or email)."""
    return "h:" + hashlib.sha256(value.encode()).hexdigest()[:24]


def body_key(provider: str, body: bytes) -> str:
    return f"{provider}:sha256:{hashlib.sha256(body).hexdigest()}"


def text(value: object) -> str | None:
    """A non-empty string form of an id field, else None."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    rendered = str(value).strip()
    return rendered or None
