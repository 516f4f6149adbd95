"""Where the client is: the location answers the policy requires, and places it treats as
unsafe for a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .context import Context
from .facts import section
from .findings import Finding, client_text

# whole sentences, so that each can be translated as one
_LOCATION_ASKS = (
    (
        "require_subdivision",
        "subdivision",
        client_text("Please add the state or region you are in."),
    ),
    ("require_locality", "locality", client_text("Please add the town or city you are in.")),
    (
        "require_address",
        "address",
        client_text("Please add the address where you are right now."),
    ),
    ("require_place_type", "place_type", client_text("Please add what kind of place you are in.")),
)
_ADD_COUNTRY = client_text("Please add the country you are in.")


def check_location(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["location"]
    if not rules["enabled"]:
        return
    location = section(ctx.checkin, "location")
    reported = ctx.policy.rules["jurisdiction"]["enabled"] and ctx.facts["jurisdiction"] is None
    if not reported and not ctx.country:
        yield _incomplete(rules, "country", _ADD_COUNTRY, "rules.location")
    for flag, key, message in _LOCATION_ASKS:
        if key == "subdivision" and reported:
            continue  # already JURISDICTION_UNKNOWN
        if rules[flag] and not location.get(key):
            yield _incomplete(rules, key, message, f"rules.location.{flag}")


def _incomplete(rules: dict[str, Any], key: str, message: str, rule: str) -> Finding:
    return Finding(
        "LOCATION_INCOMPLETE",
        rules["severity"],
        f"location.{key}",
        message,
        f"Check-in lacks location.{key}, which the practice policy requires each session.",
        rule,
    )


_PLACE_MESSAGES = {
    "vehicle": client_text("Please join from somewhere safe and private rather than a vehicle."),
    "public": client_text(
        "Please join from somewhere safe and private rather than a public place."
    ),
    "work": client_text("Please join from somewhere safe and private rather than your workplace."),
    "school": client_text("Please join from somewhere safe and private rather than school."),
    "healthcare_facility": client_text(
        "Please join from somewhere safe and private rather than a healthcare facility."
    ),
    "home": client_text("Please join from somewhere safe and private rather than home."),
}
_PLACE_OTHER = client_text(
    "Please join from somewhere safe and private rather than where you are now."
)


def check_place(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["place"]
    place = section(ctx.checkin, "location").get("place_type")
    if rules["enabled"] and place in ctx.policy.unsafe_places:
        yield Finding(
            "PLACE_UNSAFE",
            rules["severity"],
            "location.place_type",
            _PLACE_MESSAGES.get(place, _PLACE_OTHER),
            f"Client reports place type '{place}', which the practice policy treats as unsafe.",
            "rules.place.unsafe_place_types",
        )
