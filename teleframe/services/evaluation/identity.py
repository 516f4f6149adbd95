"""Identity, where the policy asks for it each session (16 CCR 1815.5; IC 25-33-3-5(6)): the
date of birth the client gives is compared with the client record."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .facts import section
from .findings import Finding, client_text


def check_identity(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["readiness"]
    if not (rules["enabled"] and rules["require_identity_confirmation"]):
        return
    given = section(ctx.checkin, "identity").get("date_of_birth")
    on_record = ctx.session.client_date_of_birth
    if not given or on_record is None or given == on_record.isoformat():
        return
    yield Finding(
        "IDENTITY_MISMATCH",
        "warn",
        "identity.date_of_birth",
        # neutral words: the client is not told what the record says
        client_text("Your clinician will check your details with you at the start."),
        "The date of birth the client gave does not match the client record.",
        "rules.readiness.require_identity_confirmation",
    )
