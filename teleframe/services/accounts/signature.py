"""How a signature reads: the signer's name, credentials, time and how they proved who they are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

DASHBOARD_METHOD = "password and authenticator code"


def token_method(prefix: str) -> str:
    return f"personal access token {prefix}…"


def credentials(licenses: Iterable[Mapping[str, Any]]) -> str:
    """Licence kinds in the order held, each once: "LMFT", or "LCSW, LMFT"."""
    kinds: list[str] = []
    for licence in licenses:
        kind = str(licence.get("kind") or "").strip()
        if kind and kind not in kinds:
            kinds.append(kind)
    return ", ".join(kinds)


def signature_line(signer: Mapping[str, Any], signed_at: str, method: str) -> str:
    """ "Electronically signed by Dana Reyes, LMFT, 2026-12-01 17:55 UTC (password and ...)"."""
    moment = datetime.fromisoformat(signed_at.replace("Z", "+00:00")).astimezone(UTC)
    who = ", ".join(part for part in (signer.get("name"), signer.get("credentials")) if part)
    return f"Electronically signed by {who}, {moment:%Y-%m-%d %H:%M} UTC ({method})"
