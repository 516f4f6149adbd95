"""Where the client is: the location answers the policy requires, and places it treats as
unsafe for a session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .context import Context
from .facts import section
from .findings import Finding

_LOCATION_ASKS = (
    ("require_subdivision", "subdivision", "the state or region you are in"),
    ("require_locality", "locality", "the town or city you are in"),
    ("require_address", "address", "the address where you are right now"),
    ("require_place_type", "place_type", "what kind of place you are in"),
)


def check_location(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["location"]
    if not rules["enabled"]:
        return
    location = section(ctx.checkin, "location")
    reported = ctx.policy.rules["jurisdiction"]["enabled"] and ctx.facts["jurisdiction"] is None
    if not reported and not ctx.country:
        yield _incomplete(rules, "country", "the country you are in", "rules.location")
    for flag, key, words in _LOCATION_ASKS:
        if key == "subdivision" and reported:
            continue  # already JURISDICTION_UNKNOWN
        if rules[flag] and not location.get(key):
            yield _incomplete(rules, key, words, f"rules.location.{flag}")


def _incomplete(rules: dict[str, Any], key: str, words: str, rule: str) -> Finding:
    return Finding(
        "LOCATION_INCOMPLETE",
        rules["severity"],
        f"location.{key}",
        f"Please add {words}.",
        f"Check-in lacks location.{key}, which the practice policy requires each session.",
        rule,
    )


_PLACE_WORDS = {
    "vehicle": "a vehicle",
    "public": "a public place",
    "work": "your workplace",
    "school": "school",
    "healthcare_facility": "a healthcare facility",
    "home": "home",
}


def check_place(ctx: Context) -> Iterator[Finding]:
    rules = ctx.policy.rules["place"]
    place = section(ctx.checkin, "location").get("place_type")
    if rules["enabled"] and place in ctx.policy.unsafe_places:
        yield Finding(
            "PLACE_UNSAFE",
            rules["severity"],
            "location.place_type",
            "Please join from somewhere safe and private rather than "
            f"{_PLACE_WORDS.get(place, 'where you are now')}.",
            f"Client reports place type '{place}', which the practice policy treats as unsafe.",
            "rules.place.unsafe_place_types",
        )
