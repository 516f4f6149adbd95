"""Reviewed reference data: every entry sourced and dated, evidence stated, lookups and overrides."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import yaml

from teleframe.services.reference import config_path, load_reference

FILES = ("emergency.yaml", "compacts.yaml", "professions.yaml")
EVIDENCE = {"primary", "secondary", "unsourced"}


def document(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(config_path("reference", name).read_text())
    return loaded


def evidence_of(doc: dict[str, Any], source_ids: list[str]) -> str:
    """An entry is primary when any of its sources is an official page, else secondary."""
    levels = {doc["sources"][sid]["evidence"] for sid in source_ids}
    return (
        "primary" if "primary" in levels else "secondary" if "secondary" in levels else "unsourced"
    )


@pytest.mark.parametrize("name", FILES)
def test_every_file_has_a_review_date_and_tagged_sources(name: str) -> None:
    doc = document(name)
    assert date.fromisoformat(doc["reviewed_on"]) <= date.today()
    for source_id, source in doc["sources"].items():
        assert source["title"], source_id
        assert source["evidence"] in EVIDENCE, source_id
        assert source["url"] is None or source["url"].startswith(("http://", "https://"))
        assert (source["url"] is None) == (source["evidence"] == "unsourced"), source_id


def test_every_emergency_entry_and_crisis_line_is_sourced_with_its_evidence() -> None:
    doc = document("emergency.yaml")
    for code, entry in doc["countries"].items():
        assert entry["source"] and set(entry["source"]) <= set(doc["sources"]), code
        assert entry["evidence"] == evidence_of(doc, entry["source"]), code
        assert entry["emergency_number"] in {s["number"] for s in entry["services"]}, code
        for line in entry["crisis_lines"]:
            assert line["call"] and line["source"], (code, line)
            assert line["evidence"] == evidence_of(doc, line["source"]), (code, line)


def test_every_compact_member_group_is_sourced_and_dated_where_effective() -> None:
    doc = document("compacts.yaml")
    for key, compact in doc["compacts"].items():
        assert compact["source"] and set(compact["source"]) <= set(doc["sources"]), key
        assert compact["evidence"] == evidence_of(doc, compact["source"]), key
        assert compact["scope"] in {"all_members", "per_state", "licensure_only"}
        assert set(compact["professions"]) <= set(document("professions.yaml")["professions"])
        seen: set[str] = set()
        for group in compact["members"]:
            assert group["source"] and set(group["source"]) <= set(doc["sources"]), key
            assert group["evidence"] == evidence_of(doc, group["source"]), group
            assert group["status"] in {"effective", "unverified", "enacted"}
            assert (group["status"] == "effective") == bool(group.get("effective_on")), group
            assert not seen & set(group["jurisdictions"]), (key, seen & set(group["jurisdictions"]))
            seen |= set(group["jurisdictions"])


def test_professions_file_names_its_source() -> None:
    doc = document("professions.yaml")
    assert doc["source"] and set(doc["source"]) <= set(doc["sources"])


def test_member_counts_match_the_reference_file() -> None:
    compacts = load_reference().compacts
    assert len(compacts["PSYPACT"].members) == 43  # 41 in CCHP's list + PA + MP
    assert len(compacts["COUNSELING_COMPACT"].members) == 39  # 38 states and DC
    assert len(compacts["SOCIAL_WORK_COMPACT"].members) == 35
    issuing = {
        c for c, m in compacts["COUNSELING_COMPACT"].members.items() if m.status == "effective"
    }
    assert issuing == {"US-AZ", "US-MN", "US-OH", "US-LA", "US-GA", "US-IN"}


def test_country_keys_are_iso_codes_not_yaml_booleans() -> None:
    countries = document("emergency.yaml")["countries"]
    assert all(isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code) for code in countries)


def test_emergency_lookup_and_practice_override() -> None:
    shipped = load_reference()
    california = shipped.emergency_for("US", "US-CA")
    assert (california["emergency_number"], california["crisis_line"]) == ("911", "988")
    assert california["reviewed"] is True
    practice = load_reference(
        {"emergency": {"US-CA": {"emergency_number": "+15105551234", "source": "Oakland PSAP"}}}
    )
    overridden = practice.emergency_for("US", "US-CA")
    assert overridden["emergency_number"] == "+15105551234"
    assert (overridden["crisis_line"], overridden["source"]) == ("988", "Oakland PSAP")
    assert practice.emergency_for("US", "US-NY")["emergency_number"] == "911"
    assert shipped.emergency_for("US", "US-CA")["emergency_number"] == "911"


def test_override_for_an_unlisted_country_is_reviewed_by_the_practice() -> None:
    practice = load_reference({"emergency": {"IS": {"emergency_number": "112", "source": "us"}}})
    iceland = practice.emergency_for("IS", None)
    assert (iceland["emergency_number"], iceland["reviewed"], iceland["evidence"]) == (
        "112",
        True,
        "practice",
    )


def test_lookups_return_copies() -> None:
    reference = load_reference()
    reference.emergency_for("US", None)["emergency_number"] = "changed"
    reference.emergency_for("US", None)["crisis_lines"][0]["call"] = "changed"
    assert reference.emergency_for("US", None)["emergency_number"] == "911"
    assert reference.emergency_for("US", None)["crisis_lines"][0]["call"] == "988"


def test_compact_aliases_and_member_overrides() -> None:
    shipped = load_reference()
    assert shipped.compact_key("Counseling Compact") == "COUNSELING_COMPACT"
    assert shipped.compact_key("psypact") == shipped.compact_key("APIT") == "PSYPACT"
    assert shipped.compacts["COUNSELING_COMPACT"].scope == "per_state"
    assert "US-CA" not in shipped.compacts["PSYPACT"].members
    practice = load_reference({"compacts": {"PSYPACT": {"members": ["US-AL", "US-CA"]}}})
    assert practice.compacts["PSYPACT"].members["US-CA"].authorises_on(date(2026, 12, 1))
    assert "US-NC" not in practice.compacts["PSYPACT"].members
    assert shipped.reviewed_on and shipped.sources["eu-112"]["url"].startswith("http")
