"""Reviewed reference data: sources, review dates, lookups and practice overrides."""

from __future__ import annotations

import re

import yaml

from teleframe.services.reference import config_path, load_reference


def test_shipped_files_name_sources_and_review_date() -> None:
    for name in ("emergency.yaml", "compacts.yaml"):
        document = yaml.safe_load(config_path("reference", name).read_text())
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["reviewed_on"])
        entries = document.get("countries") or document.get("compacts")
        for entry in entries.values():
            assert entry["source"], entry
            assert set(entry["source"]) <= set(document["sources"])


def test_country_keys_are_iso_codes_not_yaml_booleans() -> None:
    countries = yaml.safe_load(config_path("reference", "emergency.yaml").read_text())["countries"]
    assert all(isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code) for code in countries)


def test_emergency_lookup_prefers_subdivision_override() -> None:
    shipped = load_reference()
    assert shipped.emergency_for("US", "US-CA") == {
        "emergency_number": "911",
        "crisis_line": "988",
        "source": "us-911-telemedicine, us-988-fcc",
    }
    assert shipped.emergency_for("ZZ", None) is None
    practice = load_reference(
        {"emergency": {"US-CA": {"emergency_number": "+15105551234", "source": "Oakland PSAP"}}}
    )
    assert practice.emergency_for("US", "US-CA") == {
        "emergency_number": "+15105551234",
        "crisis_line": "988",
        "source": "Oakland PSAP",
    }
    assert practice.emergency_for("US", "US-NY")["emergency_number"] == "911"
    assert shipped.emergency_for("US", "US-CA")["emergency_number"] == "911"


def test_lookups_return_copies() -> None:
    reference = load_reference()
    reference.emergency_for("US", None)["emergency_number"] = "changed"
    reference.compacts_covering("US-AL").add("changed")
    assert reference.emergency_for("US", None)["emergency_number"] == "911"
    assert reference.compacts_covering("US-AL") == {"PSYPACT"}


def test_compact_membership_and_overrides() -> None:
    shipped = load_reference()
    assert shipped.compacts_covering("US-MD") == {"COUNSELING_COMPACT"}
    assert shipped.compacts_covering("US-CA") == set()
    assert shipped.compact_key("Counseling Compact") == "COUNSELING_COMPACT"
    assert shipped.compact_key("psypact") == "PSYPACT"
    assert shipped.compacts["COUNSELING_COMPACT"].scope == "per_state"
    practice = load_reference({"compacts": {"PSYPACT": {"members": ["US-AL", "US-CA"]}}})
    assert practice.compacts_covering("US-CA") == {"PSYPACT"}
    assert practice.compacts_covering("US-NC") == set()
    assert shipped.reviewed_on and shipped.sources["eu-112"]["url"].startswith("https://")
