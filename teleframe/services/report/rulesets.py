"""Per-session documentation rules that apply by the clinician's profession and the client's
location (reference-data.md section 7). A rule that applies makes its elements required, cites
itself on them, and is named in the completeness table with the reason it applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from teleframe.services.reference import vocabulary

Report = Mapping[str, Any]


@dataclass(frozen=True)
class Ruleset:
    source: str  # an id in SOURCES
    elements: tuple[str, ...]
    applies: Callable[[Report], str | None]  # why it applies to this session, or None


def professions(r: Report) -> set[str]:
    licences = (r["clinician"].get("licenses") or ()) if r.get("clinician") else ()
    return vocabulary().professions_of(
        (lic.get("kind"), lic.get("profession")) for lic in licences if lic.get("compact") is None
    )


def client_in(r: Report) -> str | None:
    location = r.get("location") or {}
    return location.get("jurisdiction") or location.get("subdivision")


def licensed_in(r: Report, code: str) -> bool:
    licences = (r["clinician"].get("licenses") or ()) if r.get("clinician") else ()
    return any(lic.get("jurisdiction") == code for lic in licences)


def _maryland_pmhnp(r: Report) -> str | None:
    if "psychiatric_nurse_practitioner" not in professions(r):
        return None
    if client_in(r) == "US-MD":
        return "psychiatric nurse practitioner; client in Maryland"
    if licensed_in(r, "US-MD"):
        return "psychiatric nurse practitioner licensed in Maryland"
    return None


def _alabama_physician(r: Report) -> str | None:
    if client_in(r) == "US-AL" and professions(r) & {"physician", "psychiatrist"}:
        return "physician; client in Alabama"
    return None


BHEC_PROFESSIONS = {
    "professional_counselor",
    "marriage_family_therapist",
    "clinical_social_worker",
    "psychologist",
}


def _texas_bhec(r: Report) -> str | None:
    if client_in(r) == "US-TX" and professions(r) & BHEC_PROFESSIONS:
        return "behavioral health licensee; client in Texas"
    return None


def _medicare(r: Report) -> str | None:
    """teleframe does not know the payer, so the Medicare billing rules are always listed."""
    return "every telehealth session billed to Medicare (payer not recorded)"


RULESETS: tuple[Ruleset, ...] = (
    Ruleset(
        "MD-COMAR-10.27.17.04",
        ("others_present_identified", "alternate_contact", "client_jurisdiction",
         "telehealth_consent"),
        _maryland_pmhnp,
    ),
    Ruleset(
        "AL-ACT-2022-302",
        ("client_city_and_state", "client_identity_verified", "telehealth_consent"),
        _alabama_physician,
    ),
    Ruleset(
        "TX-22TAC882.23",
        ("client_jurisdiction", "licence_for_client_location"),
        _texas_bhec,
    ),
    Ruleset(
        "MEDICARE-POS-MODIFIERS",
        ("place_of_service", "telehealth_modifier", "audio_only_reason"),
        _medicare,
    ),
)  # fmt: skip


def applied(r: Report) -> list[tuple[Ruleset, str]]:
    found = ((ruleset, ruleset.applies(r)) for ruleset in RULESETS)
    return [(ruleset, why) for ruleset, why in found if why]
