"""Whether the clinician may practise where the client is: a current licence there (or a
national one), or an accepted interstate compact."""

from __future__ import annotations

from collections.abc import Iterator

from .context import Context
from .facts import LicenceFacts, utc
from .findings import Finding, client_text


def _licence_covering(ctx: Context, jurisdiction: str) -> LicenceFacts | None:
    rules = ctx.policy.rules["jurisdiction"]
    day = utc(ctx.session.scheduled_start).date()
    national = ctx.country if ctx.country not in ctx.policy.licensed_by_subdivision else None
    for licence in ctx.clinician.licenses:
        if licence.jurisdiction not in (jurisdiction, national):
            continue
        if rules["check_license_expiry"] and licence.expires_on and licence.expires_on < day:
            continue
        return licence
    return None


def _compact_covering(ctx: Context, jurisdiction: str) -> str | None:
    reference, policy = ctx.reference, ctx.policy
    candidates = reference.compacts_covering(jurisdiction) & policy.accept_compacts
    for name in ctx.clinician.compacts:
        key = reference.compact_key(name)
        compact = reference.compacts.get(key) if key in candidates else None
        if compact is None or compact.scope != "all_members":
            continue
        home_ok = ctx.clinician.home_jurisdiction in compact.members
        if (
            policy.rules["jurisdiction"]["compact_home_check"]
            and compact.home_must_be_member
            and not home_ok
        ):
            continue
        return compact.key
    return None


def _unknown_jurisdiction(ctx: Context) -> Finding:
    severity = ctx.policy.rules["jurisdiction"]["unknown_severity"]
    field = "location.country" if not ctx.country else "location.subdivision"
    if ctx.subdivision and ctx.country and not ctx.subdivision.startswith(ctx.country + "-"):
        return Finding(
            "JURISDICTION_UNKNOWN",
            severity,
            field,
            client_text(
                "The state or region you chose is not in the country you chose. Please check both."
            ),
            f"Location does not agree: subdivision {ctx.subdivision} is not in country {ctx.country}.",
            "rules.jurisdiction",
        )
    return Finding(
        "JURISDICTION_UNKNOWN",
        severity,
        field,
        client_text("Please tell us which country and state or region you are in right now."),
        "Client's jurisdiction is unknown: the licence that applies cannot be checked.",
        "rules.jurisdiction",
    )


def check_jurisdiction(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["jurisdiction"]
    jurisdiction = ctx.facts["jurisdiction"]
    if not rules["enabled"]:
        return
    if jurisdiction is None:
        yield _unknown_jurisdiction(ctx)
        return
    licence = _licence_covering(ctx, jurisdiction)
    if licence is not None:
        ctx.facts["covered_by"] = {
            "kind": "license",
            "jurisdiction": licence.jurisdiction,
            "number": licence.number,
        }
        return
    compact = _compact_covering(ctx, jurisdiction)
    if compact is not None:
        ctx.facts["covered_by"] = {"kind": "compact", "name": compact}
        return
    yield Finding(
        "JURISDICTION_NOT_LICENSED",
        rules["severity"],
        "location.subdivision" if ctx.subdivision else "location.country",
        client_text(
            "Your clinician cannot hold this session while you are in this location. "
            "Please contact your clinician."
        ),
        f"No current licence or accepted compact covers {jurisdiction}, where the client "
        "is located for this session.",
        "rules.jurisdiction",
    )
