"""Emergency numbers and crisis lines for the client's country, from reference-data.md sections
5 and 6, checked through the evaluation's facts and against libphonenumber's emergency data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml
from phonenumbers import PhoneMetadata, shortnumberinfo

from teleframe.services.reference import config_path

from .conftest import Evaluate, complete_checkin, deep_merge

# country: (number shown first, first crisis line); the 20 countries of the reference file.
TWENTY = {
    "US": ("911", "988"), "CA": ("911", "988"), "MX": ("911", "800 911 2000"),
    "GB": ("999", "116 123"), "IE": ("112", "116 123"), "DE": ("112", "0800 111 0 111"),
    "FR": ("112", "3114"), "ES": ("112", "024"), "IT": ("112", "02 2327 2327"),
    "NL": ("112", "113"), "SE": ("112", "90101"), "AU": ("000", "13 11 14"),
    "NZ": ("111", "1737"), "JP": ("119", "0120-279-338"), "KR": ("119", "109"),
    "IN": ("112", "14416"), "BR": ("192", "188"), "ZA": ("10177", "0800 567 567"),
    "SG": ("995", "1767"), "PH": ("911", "1553"),
}  # fmt: skip
EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
EEA_OUTSIDE_EU = ["IS", "LI", "NO"]  # no reviewed source in reference-data.md: fallback
SNAPSHOT = Path(__file__).with_name("libphonenumber_emergency.json")


def countries() -> dict[str, Any]:
    doc = yaml.safe_load(config_path("reference", "emergency.yaml").read_text())
    return dict(doc["countries"])


def digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())


def facts_for(run: Evaluate, country: str) -> dict[str, Any]:
    checkin = deep_merge(
        complete_checkin(), {"location": {"country": country, "subdivision": None}}
    )
    return run(checkin, policy={"rules": {"backup": {"phone_region": "any"}}}).facts


@pytest.mark.parametrize("country", sorted(TWENTY))
def test_each_country_gets_its_reviewed_numbers_in_the_facts(run: Evaluate, country: str) -> None:
    emergency = facts_for(run, country)["emergency"]
    assert (emergency["emergency_number"], emergency["crisis_line"]) == TWENTY[country]
    assert emergency["reviewed"] is True and emergency["source"]
    assert emergency["crisis_lines"][0]["source"] and emergency["crisis_message"] is None


def test_every_eu_member_state_has_a_reviewed_entry() -> None:
    listed = countries()
    assert set(EU) <= set(listed)
    assert all(listed[code]["emergency_number"] == "112" for code in EU)


@pytest.mark.parametrize("country", sorted(countries()))
def test_emergency_numbers_agree_with_libphonenumber(country: str) -> None:
    """Every emergency number is one libphonenumber knows there, or a commented exception."""
    for service in countries()[country]["services"]:
        if service.get("emergency", True) is False:
            continue
        known = shortnumberinfo.is_emergency_number(digits(service["number"]), country)
        assert known is ("lib_exception" not in service), (country, service)


def test_a_phonenumbers_upgrade_that_changes_a_listed_country_needs_a_review() -> None:
    """Regenerate the snapshot only after re-reading the sources for the changed countries."""
    snapshot = json.loads(SNAPSHOT.read_text())
    current = {
        code: PhoneMetadata.short_metadata_for_region(code).emergency.national_number_pattern
        for code in sorted(countries())
    }
    changed = {c for c in current if current[c] != snapshot["emergency_patterns"].get(c)}
    assert not changed, (
        f"phonenumbers {phonenumbers.__version__} (reviewed with {snapshot['reviewed_with']}) "
        f"changed the emergency numbers of {sorted(changed)}: review config/reference/emergency.yaml"
    )


@pytest.mark.parametrize("country", [*EEA_OUTSIDE_EU, "CH"])
def test_unlisted_country_falls_back_to_112_marked_unreviewed(run: Evaluate, country: str) -> None:
    checkin = deep_merge(
        complete_checkin(), {"location": {"country": country, "subdivision": None}}
    )
    result = run(checkin, policy={"rules": {"backup": {"phone_region": "any"}}})
    emergency = result.facts["emergency"]
    assert (emergency["emergency_number"], emergency["reviewed"]) == ("112", False)
    assert emergency["message"].startswith(
        f"Unreviewed: no reviewed emergency number for {country}"
    )
    assert emergency["crisis_message"].startswith(f"No reviewed crisis line for {country}")
    (finding,) = [f for f in result.findings if f.code == "EMERGENCY_NUMBER_UNREVIEWED"]
    assert (finding.severity, finding.clinician_message) == ("info", emergency["message"])


def test_no_112_shown_where_libphonenumber_does_not_list_it(run: Evaluate) -> None:
    assert not shortnumberinfo.is_emergency_number("112", "GN")
    emergency = facts_for(run, "GN")["emergency"]
    assert (emergency["emergency_number"], emergency["reviewed"]) == (None, False)
    assert "Ask the client for their local emergency number" in emergency["message"]


def test_unknown_country_is_never_silent(run: Evaluate) -> None:
    checkin = deep_merge(complete_checkin(), {"location": {"country": None, "subdivision": None}})
    emergency = run(checkin).facts["emergency"]
    assert emergency["emergency_number"] is None
    assert emergency["message"].startswith("The client's country is not known")
