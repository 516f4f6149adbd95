"""Say so when the client's location has no reviewed emergency number: the clinician must
confirm it with the client rather than rely on a number nobody checked."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .findings import Finding


def check_emergency(ctx: Context) -> Iterator[Finding]:
    emergency = ctx.facts["emergency"]
    if emergency.get("reviewed"):
        return
    yield Finding(
        "EMERGENCY_NUMBER_UNREVIEWED",
        "info",
        "location.country",
        "Please have your local emergency number to hand and tell your clinician what it is.",
        str(emergency["message"]),
        "reference_overrides.emergency",
    )
