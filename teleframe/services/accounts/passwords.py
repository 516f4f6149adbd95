"""Password policy: length, and not a password people commonly choose (zxcvbn's lists)."""

from __future__ import annotations

from functools import cache
from typing import Any

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline attacks"


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why `password` is refused, in words for the person choosing it; None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in _common():
        return "That password is on a list of commonly used passwords. Choose another."
    from zxcvbn import zxcvbn

    inputs = [part for part in email.lower().replace("@", ".").split(".") if part]
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return "That password is easy to guess. Add more words or characters."
    return None


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current RFC 9106 parameters


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def password_matches(stored: str | None, password: str) -> bool:
    """Always does the work of one verification, so a missing user takes as long as a wrong
    password."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        return bool(hasher.verify(stored or _decoy(), password)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _decoy() -> str:
    return hash_password("not a password anyone has")
