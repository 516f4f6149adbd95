"""One check per completeness element: a status and a detail from the assembled report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Status = tuple[str, str]
Check = Callable[[Mapping[str, Any]], Status]


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def alternate_contact(r: Mapping[str, Any]) -> Status:
    if _present(r["backup_plan"]["callback_phone"]):
        return "captured", "callback phone recorded at check-in"
    return "missing", "no callback phone in the check-in"


def jurisdiction(r: Mapping[str, Any]) -> Status:
    loc = r["location"] or {}
    if _present(loc.get("subdivision")) or _present(loc.get("jurisdiction")):
        return "captured", f"client in {loc.get('jurisdiction') or loc.get('subdivision')}"
    if _present(loc.get("country")):
        return "partial", "country recorded, but not the state or subdivision"
    return "missing", "no jurisdiction recorded"


def specific_location(r: Mapping[str, Any]) -> Status:
    loc = r["location"] or {}
    if _present(loc.get("address")):
        return "captured", "street address of the client's present location recorded"
    if _present(loc.get("locality")):
        return "partial", "locality recorded, but no street address"
    return "missing", "no address for the client's present location"


def place_of_service(r: Mapping[str, Any]) -> Status:
    pos = r["billing"]["place_of_service"]
    if pos:
        return "captured", f"place of service {pos['code']}"
    if _present((r["location"] or {}).get("place_type")):
        return "partial", "place type recorded, but no evaluated place of service"
    return "missing", "no place type or place of service"


def others_identified(r: Mapping[str, Any]) -> Status:
    others = r["others_present"]
    if others is None:
        return "missing", "the check-in did not say who else is present"
    if not others:
        return "captured", "client reported no one else present"
    return "captured", f"{len(others)} other person(s) identified with relationship"


def others_permitted(r: Mapping[str, Any]) -> Status:
    others = r["others_present"]
    if others is None:
        return "missing", "the check-in did not say who else is present"
    if not others:
        return "not_applicable", "no one else present"
    unknown = sum(1 for p in others if p["client_consents_to_hear"] is None)
    if unknown:
        return "missing", f"consent to hear not recorded for {unknown} person(s)"
    refused = sum(1 for p in others if p["client_consents_to_hear"] is False)
    if refused:
        return "captured", f"{refused} person(s) not permitted to hear (see findings)"
    return "captured", "client consents to everyone present hearing"


def clinician_side(r: Mapping[str, Any]) -> Status:
    return "pending_attestation", "covered by the clinician's attestation when signed"


def emergency_resources(r: Mapping[str, Any]) -> Status:
    resources = r["backup_plan"]["emergency_resources"] or {}
    if resources.get("reviewed") is False:
        return "partial", str(resources.get("message") or "emergency number not reviewed")
    if _present(resources.get("emergency_number")):
        return "captured", f"emergency resources for the client's location ({resources['source']})"
    return "missing", "no emergency services contact resolved for the client's location"


def emergency_contact(r: Mapping[str, Any]) -> Status:
    contact = r["backup_plan"]["emergency_contact"] or {}
    if _present(contact.get("name")) and _present(contact.get("phone")):
        return "captured", "emergency contact with phone recorded"
    return "missing", "no emergency contact with a phone number"


def full_name(r: Mapping[str, Any]) -> Status:
    if _present(r["client"]["display_name"]):
        return "captured", "name as recorded on the client record"
    return "missing", "no client name on record"


def identity(r: Mapping[str, Any]) -> Status:
    if (r["readiness"] or {}).get("identity_confirmed") is True:
        return "captured", "client confirmed identity at check-in"
    return (
        "pending_attestation",
        "not confirmed at check-in; covered by the clinician's attestation",
    )


def appropriateness(r: Mapping[str, Any]) -> Status:
    readiness = r["readiness"] or {}
    answered = [readiness.get("good_time_to_proceed"), readiness.get("not_driving")]
    if all(a is not None for a in answered):
        return "captured", "readiness to proceed and not driving answered"
    if any(a is not None for a in answered):
        return "partial", "readiness only partly answered"
    return "missing", "no readiness answers"


def privacy(r: Mapping[str, Any]) -> Status:
    privacy = r["privacy"] or {}
    answered = [privacy.get("private_space"), privacy.get("can_speak_freely")]
    if all(a is not None for a in answered):
        return "captured", "private space and able to speak freely answered"
    if any(a is not None for a in answered):
        return "partial", "privacy only partly answered"
    return "missing", "no privacy answers"


def modality(r: Mapping[str, Any]) -> Status:
    if r["session"]["modality_segments"]:
        return "captured", "modality recorded for each segment"
    if r["session"]["video"]:
        return "partial", "video planned, but no modality segments recorded"
    return "missing", "no modality recorded"


def times(r: Mapping[str, Any]) -> Status:
    session = r["session"]
    if _present(session["actual_start"]) and _present(session["actual_end"]):
        return "captured", f"{session['actual_minutes']} minutes from start to stop"
    if _present(session["actual_start"]):
        return "partial", "start recorded, no stop time"
    return "missing", "no actual start and stop times"


def participants(r: Mapping[str, Any]) -> Status:
    if _present(r["clinician"]["name"]):
        return "captured", "rendering clinician identified"
    return "missing", "no clinician name"


def provider_location(r: Mapping[str, Any]) -> Status:
    return "missing", "teleframe does not record the clinician's location; add it to the note"


def consent(r: Mapping[str, Any]) -> Status:
    given = r.get("consent") or {}
    if given.get("agreed") is True:
        when = given.get("agreed_at") or "check-in"
        return "captured", f"client agreed to consent text version {given.get('version')} ({when})"
    if given.get("agreed") is False:
        return "missing", "client did not agree to telehealth at check-in"
    return (
        "missing",
        "consent to telehealth is not captured by the check-in; document it in the EHR",
    )


def technology_problems(r: Mapping[str, Any]) -> Status:
    continuity = r["continuity"]
    if continuity is None:
        return "missing", "no continuity record"
    return (
        "captured",
        f"{len(continuity['outages'])} outage(s) recorded; clinical effect is for the note",
    )


def audio_only_reason(r: Mapping[str, Any]) -> Status:
    audio = [
        s for s in r["session"]["modality_segments"] if s["modality"] in {"audio_only", "phone"}
    ]
    if not audio:
        return "not_applicable", "no audio-only segment"
    if _present(r["billing"]["audio_only_reason"]) or all(_present(s["reason"]) for s in audio):
        return "captured", "reason for audio-only recorded"
    return "missing", "audio-only segment without a reason (not capable vs does not consent)"


def city_and_state(r: Mapping[str, Any]) -> Status:
    loc = r["location"] or {}
    if _present(loc.get("locality")) and _present(loc.get("subdivision")):
        return "captured", "client stated city and state at check-in"
    if _present(loc.get("subdivision")):
        return "partial", "state recorded, but not the city"
    return "missing", "client's city and state not recorded"


def licence_for_location(r: Mapping[str, Any]) -> Status:
    covered = (r["location"] or {}).get("covered_by")
    if not covered:
        return "missing", "no licence or compact recorded as covering the client's location"
    if covered.get("kind") == "license":
        return "captured", f"licence in {covered.get('jurisdiction')} covers the client's location"
    if covered.get("verified") is False:
        return "partial", f"{covered.get('name')} membership unverified; confirm before billing"
    return "captured", f"{covered.get('name')} covers the client's location"


def telehealth_modifier(r: Mapping[str, Any]) -> Status:
    modifier = r["billing"]["modifier"]
    if modifier == "93":
        return "captured", "modifier 93 (FQ at an RHC or FQHC): audio-only with its reason"
    if modifier == "95":
        return "captured", "modifier 95: audio and video (Medicare: limited cases from 2024)"
    if r["session"]["modality_segments"]:
        return "missing", "audio-only without a reason: modifier 93/FQ is not supported"
    return "missing", "no modality recorded to choose modifier 95, 93 or FQ"
