"""The check-in page's form fields, mapped to and from the check-in JSON shape.

Only the mapping lives here; `CheckInCreateSchema` alone decides what is valid. A question left
unanswered maps to None (never False), and an unexpected radio value is passed through so the
schema refuses it.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from teleframe.api.sessions.schemas import CheckInCreateSchema

MAX_PEOPLE = 20
PEOPLE_ROWS = 3
YES_NO = {"yes": True, "no": False}
PLACE_TYPES = (
    ("home", _l("Home")),
    ("work", _l("Work")),
    ("school", _l("School")),
    ("healthcare_facility", _l("A clinic or hospital")),
    ("vehicle", _l("In a vehicle")),
    ("public", _l("A public place")),
    ("other", _l("Somewhere else")),
)
PLAIN_MESSAGES = {
    "Missing data for required field.": _l("Please answer this question."),
    "Field may not be null.": _l("Please answer this question."),
    "Must be true or false.": _l("Please choose yes or no."),
    "Must be an E.164 phone number, for example +15105550123.": _l(
        "Enter the number with its country code, for example +1 510 555 0123."
    ),
    "Not an ISO 3166-2 subdivision code (for example US-CA).": _l(
        "Please choose your state or region from the list."
    ),
    "Not an ISO 3166-1 alpha-2 country code.": _l("Please choose a country from the list."),
    "Not a date (YYYY-MM-DD).": _l("Enter the date as year, month and day."),
}
# errors the schema reports under one name, shown beside a question asked under another
ERROR_FIELD = {
    "readiness.not_driving": "readiness.driving",
    "others_present": "others_present.any",
}
_PHONE_SEPARATORS = str.maketrans("", "", " -().\u00a0")
_FIELD_NAME = re.compile(r"^[a-z_]+(\.(\d{1,2}|[a-z_]+)){0,3}$", re.ASCII)

Answers = dict[str, Any]
Errors = dict[str, list[str]]


def _text(form: MultiDict[str, str], name: str) -> str | None:
    return form.get(name, "").strip() or None


def _radio(form: MultiDict[str, str], name: str, *, inverted: bool = False) -> Any:
    value = form.get(name, "")
    if value == "":
        return None
    if value not in YES_NO:
        return value
    return YES_NO[value] != inverted


def _phone(form: MultiDict[str, str], name: str) -> str | None:
    value = _text(form, name)
    return value.translate(_PHONE_SEPARATORS) if value else None


def _location(form: MultiDict[str, str]) -> Answers:
    country = _text(form, "location.country")
    subdivision = _text(form, "location.subdivision")
    if country and subdivision and "-" not in subdivision:
        subdivision = f"{country}-{subdivision}"
    return {
        "country": country,
        "subdivision": subdivision,
        "locality": _text(form, "location.locality"),
        "address": _text(form, "location.address"),
        "place_type": _text(form, "location.place_type"),
        "same_as_last_time": _radio(form, "location.same_as_last_time"),
    }


def _person(form: MultiDict[str, str], row: int) -> Answers:
    prefix = f"others_present.{row}."
    return {
        "relationship": _text(form, prefix + "relationship"),
        "minor": _radio(form, prefix + "minor"),
        "client_consents_to_hear": _radio(form, prefix + "client_consents_to_hear"),
    }


def _people_rows(form: MultiDict[str, str]) -> list[int]:
    """Form rows with any answer; an empty first row when 'yes' names nobody."""
    filled = [
        row
        for row in range(MAX_PEOPLE)
        if any(value is not None for value in _person(form, row).values())
    ]
    return filled or [0]


def _emergency_contact(form: MultiDict[str, str]) -> Answers | None:
    contact = {
        "name": _text(form, "backup.emergency_contact.name"),
        "relationship": _text(form, "backup.emergency_contact.relationship"),
        "phone": _phone(form, "backup.emergency_contact.phone"),
    }
    return contact if any(contact.values()) else None


def form_to_answers(form: MultiDict[str, str]) -> tuple[Answers, list[int]]:
    """The check-in JSON shape, and which form row each person came from."""
    rows: list[int] = []
    others: list[Answers] | None = None
    anyone = form.get("others_present.any", "")
    if anyone == "no":
        others = []
    elif anyone == "yes":
        rows = _people_rows(form)
        others = [_person(form, row) for row in rows]
    readiness: Answers = {
        "good_time_to_proceed": _radio(form, "readiness.good_time_to_proceed"),
        # the page asks "Are you driving right now?": yes means not_driving is False
        "not_driving": _radio(form, "readiness.driving", inverted=True),
    }
    answers: Answers = {
        "location": _location(form),
        "privacy": {
            name: _radio(form, f"privacy.{name}")
            for name in ("private_space", "can_speak_freely", "headphones")
        },
        "others_present": others,
        "backup": {
            "callback_phone": _phone(form, "backup.callback_phone"),
            "emergency_contact": _emergency_contact(form),
        },
        "readiness": readiness,
    }
    identity = _identity(form)
    if identity is not None:
        answers["identity"] = identity
        readiness["identity_confirmed"] = all(identity.values())
    return answers, rows


def _identity(form: MultiDict[str, str]) -> Answers | None:
    identity = {
        "full_name": _text(form, "identity.full_name"),
        "date_of_birth": _text(form, "identity.date_of_birth"),
    }
    return identity if any(identity.values()) else None


def odd_field_names(form: MultiDict[str, str]) -> list[str]:
    """Names this form never sends (a tampered or foreign form): refused, not guessed at."""
    return [
        name
        for name in form
        if name not in _EXTRA_FIELDS and (len(name) > 64 or not _FIELD_NAME.fullmatch(name))
    ]


_EXTRA_FIELDS = frozenset({"csrf", "action"})
_ROW = re.compile(r"\d{1,2}", re.ASCII)


def _plain(message: Any) -> Any:
    text = str(message)
    if text.startswith("Not a subdivision of "):
        return _l("Please choose a state or region in the country you chose.")
    if text.startswith("Longer than") or text.startswith("Length must"):
        return _l("Please make this shorter.")
    return PLAIN_MESSAGES.get(text, text)


def _flatten(messages: Any, prefix: str = "") -> Errors:
    if not isinstance(messages, dict):
        items = messages if isinstance(messages, list) else [messages]
        return {prefix or "_schema": [_plain(m) for m in items]}
    flat: Errors = {}
    for key, value in messages.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _form_field(path: str, rows: list[int]) -> str:
    parts = path.split(".")
    if parts[0] == "others_present" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        parts[1] = str(rows[index]) if index < len(rows) else parts[1]
        path = ".".join(parts)
    return ERROR_FIELD.get(path, path)


def validate(
    form: MultiDict[str, str], consent: Answers | None = None
) -> tuple[Answers | None, Errors]:
    """(answers, {}) when valid, else (None, errors keyed by form field name). `consent` is
    the agreement the page records (version and time come from the server, not the form)."""
    answers, rows = form_to_answers(form)
    if consent is not None:
        answers["consent"] = consent
    try:
        return CheckInCreateSchema().load(answers), {}
    except ValidationError as error:
        errors: Errors = {}
        for path, texts in _flatten(error.messages).items():
            errors.setdefault(_form_field(path, rows), []).extend(texts)
        return None, errors


def _yes_no(value: Any, *, inverted: bool = False) -> str | None:
    if not isinstance(value, bool):
        return None
    return "yes" if value != inverted else "no"


def answers_to_form(answers: Answers) -> dict[str, str]:
    """Form values that show stored answers again, for updating them."""
    values: dict[str, Any] = {}
    location = answers.get("location") or {}
    country = location.get("country")
    subdivision = location.get("subdivision")
    if country and subdivision and subdivision.startswith(country + "-"):
        subdivision = subdivision[len(country) + 1 :]
    values.update(
        {
            "location.country": country,
            "location.subdivision": subdivision,
            "location.locality": location.get("locality"),
            "location.address": location.get("address"),
            "location.place_type": location.get("place_type"),
            "location.same_as_last_time": _yes_no(location.get("same_as_last_time")),
        }
    )
    privacy = answers.get("privacy") or {}
    for name in ("private_space", "can_speak_freely", "headphones"):
        values[f"privacy.{name}"] = _yes_no(privacy.get(name))
    others = answers.get("others_present")
    if others is not None:
        values["others_present.any"] = "yes" if others else "no"
    for row, person in enumerate(others or []):
        prefix = f"others_present.{row}."
        values[prefix + "relationship"] = person.get("relationship")
        values[prefix + "minor"] = _yes_no(person.get("minor"))
        values[prefix + "client_consents_to_hear"] = _yes_no(person.get("client_consents_to_hear"))
    backup = answers.get("backup") or {}
    contact = backup.get("emergency_contact") or {}
    values["backup.callback_phone"] = backup.get("callback_phone")
    for name in ("name", "relationship", "phone"):
        values[f"backup.emergency_contact.{name}"] = contact.get(name)
    readiness = answers.get("readiness") or {}
    values["readiness.good_time_to_proceed"] = _yes_no(readiness.get("good_time_to_proceed"))
    values["readiness.driving"] = _yes_no(readiness.get("not_driving"), inverted=True)
    identity = answers.get("identity") or {}
    values["identity.full_name"] = identity.get("full_name")
    values["identity.date_of_birth"] = identity.get("date_of_birth")
    if (answers.get("consent") or {}).get("agreed") is True:
        values["consent.agreed"] = "yes"
    return {key: str(value) for key, value in values.items() if value is not None}


def people_rows(values: dict[str, str]) -> int:
    """How many person rows the page shows: enough for what is filled in, at least three."""
    used = [
        int(key.split(".")[1])
        for key in values
        if key.startswith("others_present.") and _ROW.fullmatch(key.split(".")[1])
    ]
    return min(MAX_PEOPLE, max([PEOPLE_ROWS - 1, *used]) + 1)
