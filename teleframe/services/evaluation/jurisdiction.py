"""Whether the clinician may practise where the client is: a current licence there (or a
national one), or an interstate compact that covers this session. The facts record which
licence or compact covered it, or every reason none did."""

from __future__ import annotations

from collections.abc import Iterator

from .compacts import Claim, CompactVerdict, claimed, current, judge
from .context import Context
from .facts import LicenceFacts, utc
from .findings import Finding, client_text

RULE = "rules.jurisdiction"


def _claim(ctx: Context, jurisdiction: str) -> Claim:
    rules = ctx.policy.rules["jurisdiction"]
    return Claim(
        clinician=ctx.clinician,
        jurisdiction=jurisdiction,
        day=utc(ctx.session.scheduled_start).date(),
        accepted=ctx.policy.accept_compacts,
        home_check=bool(rules["compact_home_check"]),
        expiry_check=bool(rules["check_license_expiry"]),
    )


def _licence_covering(ctx: Context, claim: Claim) -> LicenceFacts | None:
    national = ctx.country if ctx.country not in ctx.policy.licensed_by_subdivision else None
    for licence in ctx.clinician.licenses:
        here = licence.jurisdiction in (claim.jurisdiction, national)
        if here and licence.compact is None and current(licence, claim):
            return licence
    return None


def _verdicts(ctx: Context, claim: Claim) -> list[CompactVerdict]:
    verdicts: dict[str, CompactVerdict] = {}
    for name in claimed(ctx.clinician):
        verdict = judge(name, ctx.reference, claim)
        verdicts.setdefault(verdict.compact, verdict)
    return list(verdicts.values())


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
            RULE,
        )
    return Finding(
        "JURISDICTION_UNKNOWN",
        severity,
        field,
        client_text("Please tell us which country and state or region you are in right now."),
        "Client's jurisdiction is unknown: the licence that applies cannot be checked.",
        RULE,
    )


def _covered_by_compact(verdict: CompactVerdict) -> dict[str, object]:
    covered: dict[str, object] = {
        "kind": "compact",
        "name": verdict.compact,
        "verified": not verdict.unverified,
    }
    if verdict.privilege is not None:
        covered["privilege"] = {
            "jurisdiction": verdict.privilege.jurisdiction,
            "number": verdict.privilege.number,
        }
    return covered


def _field(ctx: Context) -> str:
    return "location.subdivision" if ctx.subdivision else "location.country"


def _unverified(ctx: Context, verdict: CompactVerdict) -> Finding:
    return Finding(
        "JURISDICTION_COMPACT_UNVERIFIED",
        "warn",
        _field(ctx),
        client_text("Your clinician will confirm they can hold this session where you are."),
        f"Covered by {verdict.compact} only if its membership holds: {verdict.reason}.",
        RULE,
    )


def _not_licensed(ctx: Context, jurisdiction: str, reasons: list[str]) -> Finding:
    why = f" {'; '.join(reasons)}." if reasons else " No compact is recorded on the clinician."
    return Finding(
        "JURISDICTION_NOT_LICENSED",
        ctx.policy.rules["jurisdiction"]["severity"],
        _field(ctx),
        client_text(
            "Your clinician cannot hold this session while you are in this location. "
            "Please contact your clinician."
        ),
        f"No current licence or accepted compact covers {jurisdiction}, where the client "
        f"is located for this session.{why}",
        RULE,
    )


def check_jurisdiction(ctx: Context) -> Iterator[Finding]:
    jurisdiction = ctx.facts["jurisdiction"]
    if not ctx.policy.rules["jurisdiction"]["enabled"]:
        return
    if jurisdiction is None:
        yield _unknown_jurisdiction(ctx)
        return
    claim = _claim(ctx, jurisdiction)
    licence = _licence_covering(ctx, claim)
    if licence is not None:
        ctx.facts["covered_by"] = {
            "kind": "license",
            "jurisdiction": licence.jurisdiction,
            "number": licence.number,
        }
        return
    verdicts = _verdicts(ctx, claim)
    covering = sorted((v for v in verdicts if v.covers), key=lambda v: v.unverified)
    if covering:
        ctx.facts["covered_by"] = _covered_by_compact(covering[0])
        if covering[0].unverified:
            yield _unverified(ctx, covering[0])
        return
    reasons = [verdict.reason for verdict in verdicts]
    ctx.facts["not_covered_because"] = reasons
    yield _not_licensed(ctx, jurisdiction, reasons)
