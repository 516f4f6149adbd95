"""Random tokens shown once and kept as SHA-256; TOTP codes that work only once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from datetime import datetime

import pyotp

_ALPHABET = string.ascii_letters + string.digits
TOTP_DRIFT_STEPS = 1  # a code from the previous or next 30 s window is accepted
RECOVERY_CODES = 10


def new_token(prefix: str = "", length: int = 40) -> str:
    # letters and digits only, so a double-click selects the whole token
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="teleframe")


def totp_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is valid now and newer than the last one used."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # replay: that window's code was already used
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODES)
    ]


def normalise_recovery_code(code: str) -> str:
    return code.strip().lower().replace(" ", "")
