"""Whether an interstate compact covers this session, and if not, why not.

A compact covers when it authorises practice at all (operational, not licensure-only), names a
profession the clinician is licensed in, the practice accepts it, and both the client's and
(where the compact requires it) the clinician's home jurisdictions are effective members on the
session day. A per-state privilege compact also needs the privilege for the client's state
recorded on the clinician. A member whose effective date no reviewed source states is covered
but unverified: the verdict asks the clinician to confirm rather than clearing or blocking.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..reference import Compact, ReferenceData
from .facts import ClinicianFacts, LicenceFacts


@dataclass(frozen=True)
class CompactVerdict:
    compact: str  # key, or the clinician's text when it names no known compact
    covers: bool
    unverified: bool
    reason: str
    privilege: LicenceFacts | None = None


@dataclass(frozen=True)
class Claim:
    """What the rule needs about one session: who, where, when, and what the practice accepts."""

    clinician: ClinicianFacts
    jurisdiction: str
    day: date
    accepted: frozenset[str]
    home_check: bool
    expiry_check: bool


def current(licence: LicenceFacts, claim: Claim) -> bool:
    return not (claim.expiry_check and licence.expires_on and licence.expires_on < claim.day)


def _professions(reference: ReferenceData, claim: Claim) -> set[str]:
    """Professions of the clinician's own current licences (privileges name no new one)."""
    return reference.professions.professions_of(
        (licence.kind, licence.profession)
        for licence in claim.clinician.licenses
        if licence.compact is None and current(licence, claim)
    )


def _membership_problem(compact: Compact, code: str | None, whose: str, day: date) -> str | None:
    if code is None:
        return f"the clinician's home jurisdiction is not recorded ({compact.key} needs it)"
    member = compact.members.get(code)
    if member is None:
        return f"{whose} {code} is not a {compact.key} member"
    if member.status == "enacted":
        return f"{whose} {code} is a {compact.key} member that does not yet authorise practice"
    if member.status == "effective" and not member.authorises_on(day):
        return f"{whose} {code} takes part in {compact.key} only from {member.effective_on}"
    return None


def _privilege(compact: Compact, claim: Claim) -> LicenceFacts | None:
    for licence in claim.clinician.licenses:
        same = licence.compact == compact.key and licence.jurisdiction == claim.jurisdiction
        if same and current(licence, claim):
            return licence
    return None


def _refusal(compact: Compact, reference: ReferenceData, claim: Claim) -> str | None:
    """Why the compact cannot cover this session, checked from the most basic reason down."""
    if not compact.operational:
        return f"{compact.key} is not operational yet: it authorises nothing"
    if compact.scope == "licensure_only":
        return (
            f"{compact.key} is an expedited path to licensure and authorises nothing by itself; "
            "record the state licence it led to"
        )
    held = _professions(reference, claim)
    if not held & compact.professions:
        names = ", ".join(sorted(held)) or "no known profession"
        return f"{compact.key} covers {', '.join(sorted(compact.professions))}; the clinician's licences name {names}"
    if compact.key not in claim.accepted:
        return f"{compact.key} is not accepted by the practice's policy"
    client_problem = _membership_problem(
        compact, claim.jurisdiction, "client's location", claim.day
    )
    if client_problem:
        return client_problem
    if claim.home_check and compact.home_must_be_member:
        home = claim.clinician.home_jurisdiction
        home_problem = _membership_problem(compact, home, "home jurisdiction", claim.day)
        if home_problem:
            return home_problem
    if compact.scope == "per_state" and _privilege(compact, claim) is None:
        return (
            f"{compact.key} needs the privilege for {claim.jurisdiction} recorded on the clinician"
        )
    return None


def _unverified(compact: Compact, claim: Claim) -> list[str]:
    codes = [claim.jurisdiction]
    if claim.home_check and compact.home_must_be_member and claim.clinician.home_jurisdiction:
        codes.append(claim.clinician.home_jurisdiction)
    return [code for code in codes if compact.members[code].unverified()]


def judge(name: str, reference: ReferenceData, claim: Claim) -> CompactVerdict:
    key = reference.compact_key(name)
    compact = reference.compacts.get(key) if key else None
    if compact is None:
        return CompactVerdict(name, False, False, f"{name!r} is not a known compact")
    refusal = _refusal(compact, reference, claim)
    if refusal:
        return CompactVerdict(compact.key, False, False, refusal)
    unverified = _unverified(compact, claim)
    reason = (
        f"{compact.key} lists {', '.join(unverified)} as member(s), but no reviewed source states "
        f"the effective date; confirm on the commission's site"
        if unverified
        else f"{compact.key} covers {claim.jurisdiction}"
    )
    return CompactVerdict(compact.key, True, bool(unverified), reason, _privilege(compact, claim))


def claimed(clinician: ClinicianFacts) -> Iterator[str]:
    """Compacts the clinician claims: named credentials, then those behind recorded privileges."""
    seen: set[str] = set()
    for name in (*clinician.compacts, *(lic.compact for lic in clinician.licenses if lic.compact)):
        if name and name not in seen:
            seen.add(name)
            yield name
