"""When the check-in arrived, against the window the policy opens around the session start."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .findings import Finding, client_text


def check_window(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["checkin_window"]
    minutes = ctx.facts["minutes_before_start"]
    if not rules["enabled"]:
        return
    if minutes > rules["opens_minutes_before_start"]:
        yield Finding(
            "CHECKIN_OUTSIDE_WINDOW",
            rules["early_severity"],
            None,
            client_text(
                "This is too early to check in. Please check in again closer to your session."
            ),
            f"Check-in submitted {minutes} minutes before the start; it counts from "
            f"{rules['opens_minutes_before_start']} minutes before.",
            "rules.checkin_window.opens_minutes_before_start",
        )
    elif -minutes > rules["closes_minutes_after_start"]:
        yield Finding(
            "CHECKIN_OUTSIDE_WINDOW",
            rules["late_severity"],
            None,
            client_text(
                "This check-in came in late. Your clinician will confirm the details with you."
            ),
            f"Check-in submitted {-minutes} minutes after the scheduled start.",
            "rules.checkin_window.closes_minutes_after_start",
        )
