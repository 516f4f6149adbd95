"""The `wait` preference of RFC 7240 (`Prefer: wait=N`)."""

from __future__ import annotations

MAX_WAIT = 30  # seconds: longer waits are clamped, as RFC 7240 lets a server do


def wait_seconds(headers: list[str]) -> int | None:
    """The clamped wait asked for by the Prefer header(s), or None. Preferences that are
    not understood are ignored (RFC 7240 section 2), a malformed wait included."""
    for header in headers:
        for preference in header.split(","):
            token = preference.split(";", 1)[0].strip()
            name, _, value = token.partition("=")
            value = value.strip().strip('"')
            if name.strip().lower() == "wait" and value.isascii() and value.isdigit():
                return min(int(value[:6]), MAX_WAIT)
    return None
