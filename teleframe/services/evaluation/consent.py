"""Telehealth informed consent: agreed to the version of the text the policy holds now."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .facts import section
from .findings import Finding, client_text


def check_consent(ctx: Context) -> Iterator[Finding]:
    # policy versions stored before the section existed have no `consent`
    rules = ctx.policy.policy.get("consent") or {}
    if not rules.get("required"):
        return
    given = section(ctx.checkin, "consent")
    if given.get("agreed") is True and given.get("version") == rules["version"]:
        return
    yield Finding(
        "CONSENT_MISSING",
        rules["severity"],
        "consent.agreed",
        client_text("Please read the telehealth consent and agree to it before your session."),
        f"No telehealth informed consent to version {rules['version']} of the practice's "
        "consent text (CA B&P 2290.5; COMAR 10.42.10.04 A(3)).",
        "consent.required",
    )
