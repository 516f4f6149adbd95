"""The per-session frame report: a pure assembly of check-in, evaluation, continuity and events.

The report is clinical documentation (it holds PHI by design); nothing here logs its content.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT = "teleframe.frame-report"
FORMAT_VERSION = 1

ATTESTATION_STATEMENT = (
    "I attest that at the start of this session I verified the client's identity and the "
    "address of their present location as recorded in this report, confirmed an alternative "
    "way to reach them if the technology failed, and confirmed that everyone present at the "
    "client's location and at mine was identified and permitted to hear the client's health "
    "information. This report accurately reflects the frame of the session."
)

POS_DESCRIPTIONS = {
    "02": "Telehealth provided other than in patient's home",
    "10": "Telehealth provided in patient's home",
}

SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}

# Where each completeness element comes from; `evidence` follows reference/domain.md's tags.
SOURCES: dict[str, dict[str, str]] = {
    "MD-COMAR-10.42.10.04-B1": {
        "citation": "Maryland COMAR 10.42.10.04(B)(1): obtain or confirm an alternative method "
        "of contacting the client in case of a technological failure",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-B2": {
        "citation": "Maryland COMAR 10.42.10.04(B)(2): confirm whether the client is in Maryland "
        "and identify the client's specific location",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-B3": {
        "citation": "Maryland COMAR 10.42.10.04(B)(3): identify all individuals present at each "
        "location and confirm they are permitted to hear the client's health information",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "MD-COMAR-10.42.10.04-safety": {
        "citation": "Maryland COMAR 10.42.10.04 (procedures before providing services): safety "
        "protocols including contact information for emergency services at the client's location",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.42.10.04.aspx",
        "evidence": "primary",
    },
    "CA-16CCR1815.5-each-session": {
        "citation": "California 16 CCR 1815.5: at each session verify the client's full name and "
        "the address of the client's present location, documented for each session",
        "url": "https://rookiecounseling.com/2025/02/06/telehealth-best-practices",
        "evidence": "secondary",
    },
    "CA-16CCR1815.5-appropriateness": {
        "citation": "California 16 CCR 1815.5: assess whether telehealth is appropriate and use "
        "best practices for confidentiality and safety",
        "url": "https://rookiecounseling.com/2025/02/06/telehealth-best-practices",
        "evidence": "secondary",
    },
    "CA-16CCR1815.5-resources": {
        "citation": "California 16 CCR 1815.5: contact information of relevant resources, "
        "including emergency services, in the client's geographic area",
        "url": "https://www.feministtherapyassociates.com/nb-telemedicine.html",
        "evidence": "secondary",
    },
    "PAYER-SHP-telehealth": {
        "citation": "Security Health Plan telehealth documentation requirements: method, provider "
        "location (recommended), clinical participants with roles, member location, time spent "
        "with start and stop times, documented consent",
        "url": "https://www.securityhealth.org/providers/provider-manual/",
        "evidence": "primary",
    },
    "MD-Medicaid-COMAR-10.09.49": {
        "citation": "Maryland Medicaid COMAR 10.09.49: the participant's consent to telehealth "
        "or an explanation why consent was not available",
        "url": "https://dsd.maryland.gov/regulations/Pages/10.09.49.04.aspx",
        "evidence": "primary",
    },
    "ATA-documentation": {
        "citation": "ATA-attributed note elements: consent, method, patient and provider location, "
        "clinical participants' roles, other individuals present at the visit",
        "url": "https://www.droracle.ai/articles/905934/",
        "evidence": "secondary",
    },
    "documentation-guides": {
        "citation": "Telehealth documentation guides: modality in every note, private location and "
        "able to speak freely, technology problems, exact start and stop times, people present",
        "url": "https://mentalnote.ai/guides/progress-notes-for-telehealth",
        "evidence": "secondary",
    },
    "CMS-CR12427-POS": {
        "citation": "CMS CR 12427: place of service 02 (not at home) or 10 (at home), decided by "
        "where the patient is",
        "url": "https://med.noridianmedicare.com/es/web/jfa/article-detail/-/view/10529/telehealth-place-of-service-code",
        "evidence": "primary",
    },
    "CMS-CY2025-PFS-audio-only": {
        "citation": "CMS CY2025 PFS: audio-only only when the patient is not capable of, or does "
        "not consent to, audio-video; record why",
        "url": "https://medicare.fcso.com/EM/0459457.asp",
        "evidence": "primary",
    },
}


@dataclass(frozen=True)
class ReportInput:
    session: dict[str, Any]
    clinician: dict[str, Any]
    client: dict[str, Any]
    checkin: dict[str, Any] | None
    evaluation: dict[str, Any] | None
    continuity: dict[str, Any] | None
    events: Sequence[dict[str, Any]]
    generated_at: str


class ReportSigningError(ValueError):
    """The report cannot be signed as asked."""


def build_report(inp: ReportInput) -> dict[str, Any]:
    """Assemble the report body; linear in the number of events (plus one sort)."""
    data = _mapping((inp.checkin or {}).get("data"))
    facts = _mapping((inp.evaluation or {}).get("facts"))
    report: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": inp.generated_at,
        "session": _session(inp.session, inp.continuity),
        "clinician": _clinician(inp.clinician),
        "client": _client(inp.client, facts),
        "checkin": _checkin_ref(inp.checkin),
        "location": _location(data.get("location"), facts),
        "privacy": _pick(data.get("privacy"), ("private_space", "can_speak_freely", "headphones")),
        "others_present": _others_present(data.get("others_present")),
        "readiness": _pick(
            data.get("readiness"), ("good_time_to_proceed", "not_driving", "identity_confirmed")
        ),
        "backup_plan": _backup_plan(data.get("backup"), facts, inp.continuity),
        "billing": _billing(facts, inp.continuity),
        "evaluation": _evaluation(inp.evaluation),
        "continuity": _continuity(inp.continuity),
        "timeline": _timeline(inp.events, inp.continuity),
        "attestation": {
            "signed": False,
            "signed_by": None,
            "signed_at": None,
            "statement": ATTESTATION_STATEMENT,
        },
        "addenda": [],
    }
    report["completeness"] = _completeness(report)
    return report


def sign(
    report: Mapping[str, Any], *, clinician_id: str, clinician_name: str, signed_at: str
) -> dict[str, Any]:
    """A signed copy: the clinician attests the statement; elements it covers become captured."""
    if report["attestation"]["signed"]:
        raise ReportSigningError("the report is already signed")
    if report["clinician"]["id"] != clinician_id:
        raise ReportSigningError("only the session's clinician can sign its report")
    signed = copy.deepcopy(dict(report))
    signed["attestation"] = {
        "signed": True,
        "signed_by": {"id": clinician_id, "name": clinician_name},
        "signed_at": signed_at,
        "statement": report["attestation"]["statement"],
    }
    for element in signed["completeness"]["elements"]:
        if element["status"] == "pending_attestation":
            element["status"] = "captured"
            element["detail"] = f"attested by the clinician at {signed_at}"
    signed["completeness"].update(_completeness_summary(signed["completeness"]["elements"]))
    return signed


def addendum(text: str, *, author_id: str, author_name: str, written_at: str) -> dict[str, Any]:
    """An addendum entry; it is appended as a new version and never edits a signed one."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("an addendum needs text")
    return {
        "kind": "addendum",
        "text": cleaned,
        "author": {"id": author_id, "name": author_name},
        "written_at": written_at,
    }


# -- sections ---------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _pick(value: Any, keys: Sequence[str]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {key: value.get(key) for key in keys}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _minutes_between(start: Any, end: Any) -> float | None:
    started, ended = _parse_time(start), _parse_time(end)
    if started is None or ended is None:
        return None
    return round((ended - started).total_seconds() / 60, 2)


def _session(session: Mapping[str, Any], continuity: Mapping[str, Any] | None) -> dict[str, Any]:
    cont = _mapping(continuity)
    video = session.get("video")
    return {
        "id": session.get("id"),
        "status": session.get("status"),
        "external_ref": session.get("external_ref"),
        "video": _pick(video, ("provider", "room_id")),
        "scheduled_start": session.get("scheduled_start"),
        "scheduled_end": session.get("scheduled_end"),
        "scheduled_minutes": _minutes_between(
            session.get("scheduled_start"), session.get("scheduled_end")
        ),
        "actual_start": cont.get("started_at"),
        "actual_end": cont.get("ended_at"),
        "actual_minutes": _minutes_between(cont.get("started_at"), cont.get("ended_at")),
        "effective_contact_minutes": cont.get("effective_contact_minutes"),
        "modality_segments": [
            {
                "modality": seg.get("modality"),
                "start_at": seg.get("start_at"),
                "end_at": seg.get("end_at"),
                "minutes": _minutes_between(seg.get("start_at"), seg.get("end_at")),
                "reason": seg.get("reason"),
            }
            for seg in cont.get("modality_segments") or ()
        ],
    }


def _clinician(clinician: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": clinician.get("id"),
        "name": clinician.get("name"),
        "home_jurisdiction": clinician.get("home_jurisdiction"),
        "licenses": [
            _pick(lic, ("jurisdiction", "kind", "number", "expires_on"))
            for lic in clinician.get("licenses") or ()
        ],
        "compacts": list(clinician.get("compacts") or ()),
    }


def _client(client: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": client.get("id"),
        "display_name": client.get("display_name"),
        "date_of_birth": client.get("date_of_birth"),
        "minor": facts.get("minor_client"),
    }


def _checkin_ref(checkin: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if checkin is None:
        return None
    return {"id": checkin.get("id"), "submitted_at": checkin.get("submitted_at")}


def _location(location: Any, facts: Mapping[str, Any]) -> dict[str, Any] | None:
    picked = _pick(
        location,
        ("country", "subdivision", "locality", "address", "place_type", "same_as_last_time"),
    )
    if picked is None:
        return None
    picked["jurisdiction"] = facts.get("jurisdiction")
    picked["covered_by"] = facts.get("covered_by")
    return picked


def _others_present(others: Any) -> list[dict[str, Any]] | None:
    if not isinstance(others, Sequence) or isinstance(others, str):
        return None
    return [
        {
            "relationship": person.get("relationship"),
            "minor": person.get("minor"),
            "client_consents_to_hear": person.get("client_consents_to_hear"),
        }
        for person in others
        if isinstance(person, Mapping)
    ]


def _backup_plan(
    backup: Any, facts: Mapping[str, Any], continuity: Mapping[str, Any] | None
) -> dict[str, Any]:
    backup_map = _mapping(backup)
    protocol = _mapping(_mapping(continuity).get("backup_plan"))
    return {
        "callback_phone": backup_map.get("callback_phone"),
        "emergency_contact": _pick(
            backup_map.get("emergency_contact"), ("name", "relationship", "phone")
        ),
        "emergency_resources": _emergency_resources(facts),
        "protocol": {
            "due_at": protocol.get("due_at"),
            "invoked_at": protocol.get("invoked_at"),
            "followed": protocol.get("followed"),
            "reschedule_suggested_at": _mapping(continuity).get("reschedule_suggested_at"),
        },
    }


def _emergency_resources(facts: Mapping[str, Any]) -> dict[str, Any] | None:
    resources = _pick(facts.get("emergency"), ("emergency_number", "crisis_line", "source"))
    if resources is not None:
        resources["reviewed_on"] = facts.get("reference_reviewed_on")
    return resources


def _billing(facts: Mapping[str, Any], continuity: Mapping[str, Any] | None) -> dict[str, Any]:
    pos = facts.get("place_of_service")
    billing = _mapping(_mapping(continuity).get("billing"))
    return {
        "place_of_service": (
            {"code": pos, "description": POS_DESCRIPTIONS.get(str(pos))} if pos else None
        ),
        "modifier": billing.get("modifier"),
        "audio_only_reason": billing.get("audio_only_reason"),
    }


def _evaluation(evaluation: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    facts = _mapping(evaluation.get("facts"))
    keys = ("code", "severity", "field", "message", "clinician_message", "rule")
    findings = [
        {key: f.get(key) for key in keys}
        for f in evaluation.get("findings") or ()
        if isinstance(f, Mapping)
    ]
    findings.sort(key=lambda f: SEVERITY_ORDER.get(str(f["severity"]), len(SEVERITY_ORDER)))
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        if finding["severity"] in counts:
            counts[finding["severity"]] += 1
    return {
        "status": evaluation.get("status"),
        "policy_hash": evaluation.get("policy_hash"),
        "evaluated_at": evaluation.get("evaluated_at"),
        "jurisdiction": facts.get("jurisdiction"),
        "covered_by": facts.get("covered_by"),
        "minor_client": facts.get("minor_client"),
        "finding_counts": counts,
        "findings": findings,
    }


def _continuity(continuity: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if continuity is None:
        return None
    return {
        "started_at": continuity.get("started_at"),
        "ended_at": continuity.get("ended_at"),
        "drops": continuity.get("drops"),
        "outages": [
            _pick(o, ("start_at", "end_at", "seconds", "reason"))
            for o in continuity.get("outages") or ()
        ],
        "total_outage_seconds": continuity.get("total_outage_seconds"),
        "longest_outage_seconds": continuity.get("longest_outage_seconds"),
        "effective_contact_minutes": continuity.get("effective_contact_minutes"),
        "events_after_signature": continuity.get("events_after_signature"),
        "event_count": continuity.get("event_count"),
        "summary": continuity.get("summary"),
    }


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _timeline(
    events: Sequence[Mapping[str, Any]], continuity: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Events in time order with their offset from the actual start (or the first event)."""
    stamped = [(_parse_time(e.get("occurred_at")), i, e) for i, e in enumerate(events)]
    stamped.sort(key=lambda item: (item[0] or _FAR_FUTURE, item[1]))
    origin = _parse_time(_mapping(continuity).get("started_at"))
    if origin is None and stamped:
        origin = stamped[0][0]
    rows = []
    for at, _, event in stamped:
        offset = None if at is None or origin is None else (at - origin).total_seconds()
        rows.append(
            {
                "at": event.get("occurred_at"),
                "offset_seconds": offset,
                "kind": event.get("kind"),
                "role": event.get("role"),
                "reason": event.get("reason"),
                "modality": event.get("modality"),
                "provider": event.get("provider"),
            }
        )
    return {"event_count": len(rows), "events": rows}


# -- completeness -----------------------------------------------------------------------------

Status = tuple[str, str]
Check = Callable[[Mapping[str, Any]], Status]


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _check_alternate_contact(r: Mapping[str, Any]) -> Status:
    if _present(r["backup_plan"]["callback_phone"]):
        return "captured", "callback phone recorded at check-in"
    return "missing", "no callback phone in the check-in"


def _check_jurisdiction(r: Mapping[str, Any]) -> Status:
    loc = r["location"] or {}
    if _present(loc.get("subdivision")) or _present(loc.get("jurisdiction")):
        return "captured", f"client in {loc.get('jurisdiction') or loc.get('subdivision')}"
    if _present(loc.get("country")):
        return "partial", "country recorded, but not the state or subdivision"
    return "missing", "no jurisdiction recorded"


def _check_specific_location(r: Mapping[str, Any]) -> Status:
    loc = r["location"] or {}
    if _present(loc.get("address")):
        return "captured", "street address of the client's present location recorded"
    if _present(loc.get("locality")):
        return "partial", "locality recorded, but no street address"
    return "missing", "no address for the client's present location"


def _check_place_of_service(r: Mapping[str, Any]) -> Status:
    pos = r["billing"]["place_of_service"]
    if pos:
        return "captured", f"place of service {pos['code']}"
    if _present((r["location"] or {}).get("place_type")):
        return "partial", "place type recorded, but no evaluated place of service"
    return "missing", "no place type or place of service"


def _check_others_identified(r: Mapping[str, Any]) -> Status:
    others = r["others_present"]
    if others is None:
        return "missing", "the check-in did not say who else is present"
    if not others:
        return "captured", "client reported no one else present"
    return "captured", f"{len(others)} other person(s) identified with relationship"


def _check_others_permitted(r: Mapping[str, Any]) -> Status:
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


def _check_clinician_side(r: Mapping[str, Any]) -> Status:
    return "pending_attestation", "covered by the clinician's attestation when signed"


def _check_emergency_resources(r: Mapping[str, Any]) -> Status:
    resources = r["backup_plan"]["emergency_resources"] or {}
    if _present(resources.get("emergency_number")):
        return "captured", f"emergency resources for the client's location ({resources['source']})"
    return "missing", "no emergency services contact resolved for the client's location"


def _check_emergency_contact(r: Mapping[str, Any]) -> Status:
    contact = r["backup_plan"]["emergency_contact"] or {}
    if _present(contact.get("name")) and _present(contact.get("phone")):
        return "captured", "emergency contact with phone recorded"
    return "missing", "no emergency contact with a phone number"


def _check_full_name(r: Mapping[str, Any]) -> Status:
    if _present(r["client"]["display_name"]):
        return "captured", "name as recorded on the client record"
    return "missing", "no client name on record"


def _check_identity(r: Mapping[str, Any]) -> Status:
    if (r["readiness"] or {}).get("identity_confirmed") is True:
        return "captured", "client confirmed identity at check-in"
    return (
        "pending_attestation",
        "not confirmed at check-in; covered by the clinician's attestation",
    )


def _check_appropriateness(r: Mapping[str, Any]) -> Status:
    readiness = r["readiness"] or {}
    answered = [readiness.get("good_time_to_proceed"), readiness.get("not_driving")]
    if all(a is not None for a in answered):
        return "captured", "readiness to proceed and not driving answered"
    if any(a is not None for a in answered):
        return "partial", "readiness only partly answered"
    return "missing", "no readiness answers"


def _check_privacy(r: Mapping[str, Any]) -> Status:
    privacy = r["privacy"] or {}
    answered = [privacy.get("private_space"), privacy.get("can_speak_freely")]
    if all(a is not None for a in answered):
        return "captured", "private space and able to speak freely answered"
    if any(a is not None for a in answered):
        return "partial", "privacy only partly answered"
    return "missing", "no privacy answers"


def _check_modality(r: Mapping[str, Any]) -> Status:
    if r["session"]["modality_segments"]:
        return "captured", "modality recorded for each segment"
    if r["session"]["video"]:
        return "partial", "video planned, but no modality segments recorded"
    return "missing", "no modality recorded"


def _check_times(r: Mapping[str, Any]) -> Status:
    session = r["session"]
    if _present(session["actual_start"]) and _present(session["actual_end"]):
        return "captured", f"{session['actual_minutes']} minutes from start to stop"
    if _present(session["actual_start"]):
        return "partial", "start recorded, no stop time"
    return "missing", "no actual start and stop times"


def _check_participants(r: Mapping[str, Any]) -> Status:
    if _present(r["clinician"]["name"]):
        return "captured", "rendering clinician identified"
    return "missing", "no clinician name"


def _check_provider_location(r: Mapping[str, Any]) -> Status:
    return "missing", "teleframe does not record the clinician's location; add it to the note"


def _check_consent(r: Mapping[str, Any]) -> Status:
    return (
        "missing",
        "consent to telehealth is not captured by the check-in; document it in the EHR",
    )


def _check_technology_problems(r: Mapping[str, Any]) -> Status:
    continuity = r["continuity"]
    if continuity is None:
        return "missing", "no continuity record"
    return (
        "captured",
        f"{len(continuity['outages'])} outage(s) recorded; clinical effect is for the note",
    )


def _check_audio_only_reason(r: Mapping[str, Any]) -> Status:
    audio = [
        s for s in r["session"]["modality_segments"] if s["modality"] in {"audio_only", "phone"}
    ]
    if not audio:
        return "not_applicable", "no audio-only segment"
    if _present(r["billing"]["audio_only_reason"]) or all(_present(s["reason"]) for s in audio):
        return "captured", "reason for audio-only recorded"
    return "missing", "audio-only segment without a reason (not capable vs does not consent)"


# (id, label, required, sources, check)
ELEMENTS: tuple[tuple[str, str, bool, tuple[str, ...], Check], ...] = (
    (
        "alternate_contact",
        "Alternative way to reach the client if the technology fails",
        True,
        ("MD-COMAR-10.42.10.04-B1",),
        _check_alternate_contact,
    ),
    (
        "client_jurisdiction",
        "Client's state or jurisdiction confirmed",
        True,
        ("MD-COMAR-10.42.10.04-B2",),
        _check_jurisdiction,
    ),
    (
        "client_specific_location",
        "Address of the client's present location",
        True,
        ("MD-COMAR-10.42.10.04-B2", "CA-16CCR1815.5-each-session", "PAYER-SHP-telehealth"),
        _check_specific_location,
    ),
    (
        "place_of_service",
        "Place of service (client at home or not)",
        True,
        ("CMS-CR12427-POS",),
        _check_place_of_service,
    ),
    (
        "others_present_identified",
        "Everyone present with the client identified",
        True,
        ("MD-COMAR-10.42.10.04-B3", "ATA-documentation", "documentation-guides"),
        _check_others_identified,
    ),
    (
        "others_present_permitted",
        "Everyone present with the client permitted to hear health information",
        True,
        ("MD-COMAR-10.42.10.04-B3",),
        _check_others_permitted,
    ),
    (
        "clinician_side_present",
        "Everyone present at the clinician's location identified and permitted",
        True,
        ("MD-COMAR-10.42.10.04-B3",),
        _check_clinician_side,
    ),
    (
        "emergency_resources",
        "Emergency services contact for the client's location",
        True,
        ("MD-COMAR-10.42.10.04-safety", "CA-16CCR1815.5-resources"),
        _check_emergency_resources,
    ),
    (
        "emergency_contact",
        "Emergency contact person",
        False,
        ("ATA-documentation",),
        _check_emergency_contact,
    ),
    (
        "client_full_name",
        "Client's full name",
        True,
        ("CA-16CCR1815.5-each-session",),
        _check_full_name,
    ),
    (
        "client_identity_verified",
        "Client's identity verified this session",
        True,
        ("CA-16CCR1815.5-each-session",),
        _check_identity,
    ),
    (
        "appropriateness",
        "Telehealth appropriate now (good time to proceed, not driving)",
        True,
        ("CA-16CCR1815.5-appropriateness",),
        _check_appropriateness,
    ),
    (
        "privacy",
        "Private location and able to speak freely",
        True,
        ("CA-16CCR1815.5-appropriateness", "documentation-guides"),
        _check_privacy,
    ),
    (
        "modality",
        "Method of telehealth for every part of the session",
        True,
        ("PAYER-SHP-telehealth", "ATA-documentation", "documentation-guides"),
        _check_modality,
    ),
    (
        "start_stop_times",
        "Time spent, with actual start and stop times",
        True,
        ("PAYER-SHP-telehealth", "documentation-guides"),
        _check_times,
    ),
    (
        "clinical_participants",
        "Clinical participants and their roles",
        True,
        ("PAYER-SHP-telehealth", "ATA-documentation"),
        _check_participants,
    ),
    (
        "provider_location",
        "Clinician's location",
        False,
        ("PAYER-SHP-telehealth", "ATA-documentation"),
        _check_provider_location,
    ),
    (
        "telehealth_consent",
        "Client's consent to telehealth (or why it was not available)",
        True,
        ("PAYER-SHP-telehealth", "MD-Medicaid-COMAR-10.09.49", "ATA-documentation"),
        _check_consent,
    ),
    (
        "technology_problems",
        "Technology problems during the session",
        True,
        ("documentation-guides",),
        _check_technology_problems,
    ),
    (
        "audio_only_reason",
        "Why video was not used for audio-only parts",
        True,
        ("CMS-CY2025-PFS-audio-only",),
        _check_audio_only_reason,
    ),
)


def _completeness(report: Mapping[str, Any]) -> dict[str, Any]:
    elements = []
    for element_id, label, required, sources, check in ELEMENTS:
        status, detail = check(report)
        elements.append(
            {
                "id": element_id,
                "label": label,
                "required": required,
                "status": status,
                "detail": detail,
                "sources": list(sources),
            }
        )
    return {
        "elements": elements,
        "sources": copy.deepcopy(SOURCES),
        **_completeness_summary(elements),
    }


def _completeness_summary(elements: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    def ids(*statuses: str, required_only: bool = False) -> list[str]:
        return [
            e["id"]
            for e in elements
            if e["status"] in statuses and (e["required"] or not required_only)
        ]

    required_missing = ids("missing", "partial", required_only=True)
    pending = ids("pending_attestation")
    return {
        "complete": not required_missing and not pending,
        "captured": ids("captured"),
        "missing": ids("missing", "partial"),
        "required_missing": required_missing,
        "pending_attestation": pending,
        "not_applicable": ids("not_applicable"),
    }
