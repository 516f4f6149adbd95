"""The backup plan if video fails: a callback phone that works where the client is, and an
emergency contact who is someone else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import phonenumbers

from .context import Context
from .facts import section
from .findings import Finding, client_text


def _parse_phone(number: Any) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(str(number), None)
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def check_backup(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["backup"]
    if not rules["enabled"]:
        return
    backup = section(ctx.checkin, "backup")
    callback = _parse_phone(backup["callback_phone"]) if backup.get("callback_phone") else None
    if not backup.get("callback_phone"):
        if rules["require_callback_phone"]:
            yield Finding(
                "BACKUP_PHONE_MISSING",
                rules["missing_severity"],
                "backup.callback_phone",
                client_text(
                    "Please add a phone number where your clinician can call you if the video drops."
                ),
                "No callback phone: no alternative way to reach the client if video fails "
                "(COMAR 10.42.10.04; IC 25-33-3-5(7)).",
                "rules.backup.require_callback_phone",
            )
    elif callback is None:
        yield _invalid_phone(rules, "backup.callback_phone", _OWN_PHONE_INVALID)
    elif (
        rules["phone_region"] == "client_country"
        and ctx.country
        and not (phonenumbers.is_valid_number_for_region(callback, ctx.country))
    ):
        yield Finding(
            "BACKUP_PHONE_INVALID",
            rules["region_mismatch_severity"],
            "backup.callback_phone",
            client_text(
                "Please check your phone number: it does not look like a number for the country "
                "you are in."
            ),
            f"Callback phone is not a number for {ctx.country}; confirm it works from there.",
            "rules.backup.phone_region",
        )
    yield from _check_contact(rules, backup, callback)


_OWN_PHONE_INVALID = client_text(
    "Please check your phone number: it is not a phone number we can call."
)
_CONTACT_PHONE_INVALID = client_text(
    "Please check your emergency contact's number: it is not a phone number we can call."
)


def _invalid_phone(rules: dict[str, Any], field: str, message: str) -> Finding:
    return Finding(
        "BACKUP_PHONE_INVALID",
        rules["invalid_severity"],
        field,
        message,
        f"{field} is not a valid, dialable phone number.",
        "rules.backup",
    )


def _check_contact(
    rules: dict[str, Any], backup: dict[str, Any], callback: phonenumbers.PhoneNumber | None
) -> Iterator[Finding]:
    contact = backup.get("emergency_contact")
    contact = contact if isinstance(contact, dict) else {}
    if not contact.get("phone") or not contact.get("name"):
        if rules["require_emergency_contact"]:
            yield Finding(
                "EMERGENCY_CONTACT_MISSING",
                rules["emergency_contact_severity"],
                "backup.emergency_contact",
                client_text(
                    "Please add an emergency contact: someone we can call if we are worried about "
                    "your safety, with their phone number."
                ),
                "No emergency contact (name and phone) for this session.",
                "rules.backup.require_emergency_contact",
            )
        return
    phone = _parse_phone(contact["phone"])
    if phone is None:
        yield _invalid_phone(rules, "backup.emergency_contact.phone", _CONTACT_PHONE_INVALID)
    elif rules["emergency_contact_must_differ"] and phone == callback:
        yield Finding(
            "EMERGENCY_CONTACT_MISSING",
            rules["emergency_contact_severity"],
            "backup.emergency_contact.phone",
            client_text("Your emergency contact needs a phone number different from your own."),
            "Emergency contact's phone is the same as the callback phone.",
            "rules.backup.emergency_contact_must_differ",
        )
