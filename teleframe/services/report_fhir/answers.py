"""The check-in as a QuestionnaireResponse to the published Questionnaire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teleframe.services.report_fhir.common import (
    References,
    compact,
    questionnaire,
    questionnaire_canonical,
    system,
)


def questionnaire_response(report: Mapping[str, Any], refs: References) -> dict[str, Any]:
    checkin = report["checkin"]
    return compact(
        {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": system("checkin"), "value": str(checkin["id"])},
            "questionnaire": questionnaire_canonical(),
            "status": "completed",
            "subject": {"reference": refs.patient},
            "encounter": {"reference": refs.encounter},
            "authored": checkin.get("submitted_at"),
            "source": {"reference": refs.patient},
            "item": _response_items(report),
        }
    )


def _response_items(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    items = [
        _group("location", report.get("location"), _location_answers),
        _group("privacy", report.get("privacy"), _boolean_or_string_answers),
    ]
    others = report.get("others_present")
    if others is not None:
        items.append(_answered("others_present.any", {"valueBoolean": bool(others)}))
        items.extend(
            _group("others_present", person, _boolean_or_string_answers) for person in others
        )
    backup = report["backup_plan"]
    items.append(_backup_group(backup))
    items.append(_group("readiness", report.get("readiness"), _boolean_or_string_answers))
    return [item for item in items if item]


def _answered(link_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [answer]}


def _answer(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, str) and value:
        return {"valueString": value}
    return None


def _boolean_or_string_answers(prefix: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, value in values.items():
        answer = _answer(value)
        if answer:
            out.append(_answered(f"{prefix}.{key}", answer))
    return out


def _location_answers(prefix: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    asked = {
        k: values.get(k)
        for k in ("country", "subdivision", "locality", "address", "same_as_last_time")
    }
    out = _boolean_or_string_answers(prefix, asked)
    place = values.get("place_type")
    if place:
        option = _place_option(place)
        answer = {"valueCoding": option} if option else {"valueString": place}
        out.insert(4, _answered(f"{prefix}.place_type", answer))
    return out


def _place_option(code: str) -> dict[str, Any] | None:
    for item in questionnaire()["item"][0]["item"]:
        for option in item.get("answerOption", ()):
            if option["valueCoding"]["code"] == code:
                coding: dict[str, Any] = option["valueCoding"]
                return coding
    return None


def _group(link_id: str, values: Any, answers: Any) -> dict[str, Any] | None:
    if not isinstance(values, Mapping):
        return None
    inner = answers(link_id, values)
    return {"linkId": link_id, "item": inner} if inner else None


def _backup_group(backup: Mapping[str, Any]) -> dict[str, Any] | None:
    inner = _boolean_or_string_answers("backup", {"callback_phone": backup.get("callback_phone")})
    contact = _group(
        "backup.emergency_contact", backup.get("emergency_contact"), _boolean_or_string_answers
    )
    if contact:
        inner.append(contact)
    return {"linkId": "backup", "item": inner} if inner else None
