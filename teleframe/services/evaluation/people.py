"""Who else is with the client: everyone named, each with the client's consent to them
hearing, and minors flagged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .context import Context
from .findings import Finding, client_text

CONSENT_TO_HEAR = client_text(
    "You listed someone (person %(number)s) as present. Please confirm you are comfortable "
    "with them hearing the session, or find a space on your own."
)


def check_others(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["others_present"]
    if not rules["enabled"]:
        return
    others = ctx.checkin.get("others_present")
    if others is None:
        if rules["require_answer"]:
            yield Finding(
                "OTHERS_PRESENT_WITHOUT_CONSENT",
                rules["consent_severity"],
                "others_present",
                client_text("Please tell us whether anyone else is with you, even if no one is."),
                "Client did not say who else is present (COMAR 10.42.10.04: identify everyone present).",
                "rules.others_present.require_answer",
            )
        return
    for index, person in enumerate(others):
        person = person if isinstance(person, dict) else {}
        yield from _check_person(rules, index, person)


def _check_person(rules: dict[str, Any], index: int, person: dict[str, Any]) -> Iterator[Finding]:
    who = f"person {index + 1}"  # never echo free text the client typed
    if rules["require_consent"] and person.get("client_consents_to_hear") is not True:
        params = {"number": index + 1}
        yield Finding(
            "OTHERS_PRESENT_WITHOUT_CONSENT",
            rules["consent_severity"],
            f"others_present[{index}].client_consents_to_hear",
            CONSENT_TO_HEAR % params,
            f"Others present: {who} has no confirmation of the client's consent to them hearing health information.",
            "rules.others_present.require_consent",
            message_template=CONSENT_TO_HEAR,
            message_params=params,
        )
    if rules["flag_minors"] and person.get("minor") is True:
        yield Finding(
            "MINOR_PRESENT",
            rules["minor_severity"],
            f"others_present[{index}].minor",
            client_text(
                "You said a child is with you. Your clinician will talk with you about this."
            ),
            f"A minor ({who}) is present with the client.",
            "rules.others_present.flag_minors",
        )
