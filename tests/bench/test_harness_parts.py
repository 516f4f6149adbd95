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


def test_cpu_row_sums_the_parts_and_compares_totals() -> None:
    out = {
        "floor": {"cpu_ms_per_item": {"api": 2.0, "worker": 1.0, "postgres": 0.5, "redis": 0.5}},
        "teleframe": {
            "cpu_ms_per_item": {"api": 4.0, "worker": 3.0, "postgres": 1.0, "redis": 0.0}
        },
    }
    (row,) = report.cpu_rows(out)
    assert row[1] == "2.00 / 1.00 / 0.50 / 0.50 = 4.00"
    assert row[2] == "4.00 / 3.00 / 1.00 / 0.00 = 8.00"
    assert row[3] == "0.50x"  # the floor's CPU per item over teleframe's


def test_cpu_spent_counts_the_parts_process_tree(tmp_path: Path) -> None:
    """A child of the started process burns 0.3 s of CPU inside the block: counted."""
    import sys
    import time

    from bench import cpu, stack

    go, done = tmp_path / "go", tmp_path / "burnt"
    burn = (
        "import time, pathlib\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.01)\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        f"pathlib.Path({str(done)!r}).touch()\n"
        "time.sleep(60)"
    )
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    procs = stack.Processes(tmp_path)
    item = procs.start("parent", [sys.executable, "-c", parent], {})
    try:
        time.sleep(1.0)  # both interpreters started, the child waiting for `go`
        with cpu.spent({"api": item}) as per:
            go.touch()
            deadline = time.monotonic() + 30
            while not done.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        procs.stop_all()
    spent = per(2)
    assert spent["items"] == 2
    assert 140 <= spent["api"] <= 200  # 0.3 s over 2 items (with the child's own polling)


def test_the_run_leaves_no_keys_of_its_queues_behind(redis_url: str) -> None:
    import uuid

    import redis

    from bench import stack

    queue = f"teleframe-bench-{uuid.uuid4().hex[:8]}-teleframe"
    left = [
        queue,
        f"_kombu.binding.{queue}",
        f"_kombu.binding_permanent.{queue}",
        f"teleframe:{queue}:heartbeat:workers",
        f"teleframe:{queue}:wake:teleframe.evaluate_checkin",
    ]
    client = redis.Redis.from_url(redis_url)
    with stack.redis_keys(redis_url) as keys:
        keys.append(queue)
        for key in left:
            client.set(key, b"1")
    assert client.exists(*left) == 0
