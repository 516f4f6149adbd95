"""`teleframe reference check`: what a reviewer must look at, and when the data goes stale."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from teleframe.cli import main
from teleframe.services.reference.review import review


def test_lists_unsourced_and_secondary_entries() -> None:
    found = review(date(2026, 12, 1))
    lines = [line for _, line in found]
    assert not [kind for kind, _ in found if kind == "stale"]
    assert any("PSYPACT" in line and "US-TX" in line and "UNSOURCED" in line for line in lines)
    assert any(line.startswith("emergency.yaml: KR: emergency numbers") for line in lines)
    assert any("professions.yaml: source issue-14" in line for line in lines)
    assert not any("emergency.yaml: JP: emergency numbers" in line for line in lines)


def test_entries_older_than_a_year_are_stale_and_fail_the_check() -> None:
    stale = [line for kind, line in review(date(2027, 12, 2)) if kind == "stale"]
    assert [line.split(":")[0] for line in stale] == [
        "emergency.yaml",
        "compacts.yaml",
        "professions.yaml",
    ]


def test_cli_lists_items_and_passes_while_fresh() -> None:
    result = CliRunner().invoke(main, ["reference", "check"])
    assert result.exit_code == 0, result.output
    assert "item(s) to review" in result.output and "unsourced: compacts.yaml" in result.output
