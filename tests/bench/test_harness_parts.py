"""The harness's pure parts: percentiles, the table, the wrk script and Zoom signatures."""

from __future__ import annotations

from pathlib import Path

from bench import hooks, report, stats, workload


def test_nearest_rank_percentile() -> None:
    values = list(range(1, 101))
    assert stats.percentile(values, 50) == 50
    assert stats.percentile(values, 99) == 99
    assert stats.percentile(values, 100) == 100
    assert stats.percentile([7.0], 99) == 7.0
    assert stats.percentile([], 50) is None


def test_table_aligns_columns_and_marks_missing_values() -> None:
    text = stats.table(("a", "bb"), [("x", None), ("long name", 1234.5)])
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert "| -  " in lines[2] and "1,234" in lines[3]


def test_report_puts_teleframe_beside_the_floor() -> None:
    out = {
        "floor": {"http": {"rps": 800.0}, "items_per_s": 400.0},
        "teleframe": {"http": {"rps": 200.0}, "items_per_s": 100.0},
        "teleframe_hooks": {"skipped": "no route"},
    }
    text = report.render(out)
    assert "0.25x" in text and "skipped: no route" in text


def test_zoom_signature_matches_the_reference_vector() -> None:
    body = '{"event":"meeting.started","event_ts":1654503849680,"payload":{}}'
    assert hooks.sign("secretValueTest", "1654503849", body) == (
        "v0=87a214ebd2bbd28d3c2e257eb56cb1b85cfda98e5d4e27a2eae015043d4c3263"
    )


def test_wrk_script_holds_every_request(tmp_path: Path) -> None:
    fixture = workload.Fixture("tf_key", "p", ["s1", "s2", "s3"], ["1", "2", "3"])
    requests = workload.checkin_requests(fixture, 22)
    script = workload.write_lua(tmp_path / "x.lua", requests, {"Authorization": "Bearer tf_key"})
    text = script.read_text()
    assert text.count("/checkins]==]") == 22
    assert sum(status == 422 for _k, status, _b in workload.VARIANTS) == 2
