"""What the status page tells the client about a verdict, in the client's language: the
findings' plain words, who to call in an emergency, and the backup plan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers
from flask_babel import gettext

_DIAL_CHARACTERS = frozenset("0123456789+*#")


def client_message(finding: Mapping[str, Any], language: str) -> str:
    """The policy's own text for the language, else the catalogue's, else the stored English.

    Stored messages are English sentences marked with `client_text`: the catalogue is keyed
    by them, and values such as a person's number are filled in after translating.
    """
    own = (finding.get("messages") or {}).get(language)
    if own:
        return str(own)
    template = finding.get("message_template")
    if template:
        return gettext(str(template), **dict(finding.get("message_params") or {}))
    return gettext(str(finding.get("message", "")))


def dial(number: str) -> str:
    """A `tel:` target: the digits of "116 123" or "+1 (510) 555-0123"."""
    return "".join(ch for ch in number if ch in _DIAL_CHARACTERS)


def emergency_lines(facts: Mapping[str, Any] | None) -> dict[str, Any]:
    """The reviewed emergency number and every crisis line for where the client is, keeping
    only what a phone can dial."""
    emergency = (facts or {}).get("emergency") or {}
    lines: dict[str, Any] = {
        key: str(emergency[key])
        for key in ("emergency_number", "crisis_line")
        if emergency.get(key) and dial(str(emergency[key]))
    }
    crisis = [
        line
        for line in emergency.get("crisis_lines") or ()
        if line.get("name") and line.get("call") and dial(str(line["call"]))
    ]
    if crisis:
        lines["crisis_lines"] = crisis
    return lines


def readable_phone(number: str | None) -> str | None:
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
