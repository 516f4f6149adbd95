"""Benchmark: milliseconds to build (and hash, export) a frame report by session size.

    python bench/report_build.py [--sizes 100 1000 10000] [--repeat 7] [--json out.json]

Builds the report for a fixed 50-minute session with N platform events (joins, network drops,
degradations), then hashes it as a version, and exports FHIR and PDF. Pure CPU, no I/O.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from teleframe.services.report import ReportInput, build_report
from teleframe.services.report_chain import version_hash
from teleframe.services.report_fhir import to_fhir_bundle
from teleframe.services.report_pdf import render_pdf

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
KINDS = ("participant.left", "participant.joined", "media.degraded", "participant.joined")


def _at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat()


def events(count: int) -> list[dict[str, Any]]:
    step = 3000 / max(count, 1)
    return [
        {
            "kind": "session.started" if i == 0 else KINDS[i % len(KINDS)],
            "occurred_at": _at(i * step),
            "provider": "zoom",
            "participant_key": f"p{i % 3}",
            "role": "client" if i % 3 else "clinician",
            "reason": "network" if KINDS[i % len(KINDS)] == "participant.left" else None,
            "modality": None,
        }
        for i in range(count)
    ]


def report_input(count: int) -> ReportInput:
    outages = [
        {"start_at": _at(s), "end_at": _at(s + 30), "seconds": 30, "reason": "network"}
        for s in range(60, 3000, max(3000 // max(count // 4, 1), 60))
    ]
    return ReportInput(
        session={
            "id": "ses_bench",
            "scheduled_start": _at(0),
            "scheduled_end": _at(3000),
            "status": "ended",
            "external_ref": "appt-1",
            "video": {"provider": "zoom", "room_id": "1"},
        },
        clinician={"id": "cln", "name": "Dana Reyes", "home_jurisdiction": "US-CA", "licenses": []},
        client={"id": "cli", "display_name": "Sam Client", "date_of_birth": "1990-04-02"},
        checkin={
            "id": "chk",
            "submitted_at": _at(-300),
            "data": {
                "location": {"country": "US", "subdivision": "US-CA", "address": "1 Main St"},
                "privacy": {"private_space": True, "can_speak_freely": True},
                "others_present": [],
                "backup": {"callback_phone": "+15105550123"},
                "readiness": {"good_time_to_proceed": True, "not_driving": True},
            },
        },
        evaluation={
            "status": "clear",
            "findings": [],
            "facts": {"jurisdiction": "US-CA", "place_of_service": "10"},
            "policy_hash": "sha256:" + "0" * 64,
            "evaluated_at": _at(-299),
        },
        continuity={
            "started_at": _at(0),
            "ended_at": _at(3000),
            "drops": len(outages),
            "outages": outages,
            "modality_segments": [{"modality": "video", "start_at": _at(0), "end_at": _at(3000)}],
            "event_count": count,
        },
        events=events(count),
        generated_at=_at(3100),
    )


def timed(action: Callable[[], Any], repeat: int) -> dict[str, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return {"min_ms": round(min(samples), 2), "median_ms": round(statistics.median(samples), 2)}


def measure(count: int, repeat: int, exports: bool) -> dict[str, Any]:
    inp = report_input(count)
    report = build_report(inp)
    row: dict[str, Any] = {
        "events": count,
        "build": timed(lambda: build_report(inp), repeat),
        "hash": timed(lambda: version_hash(report, None), repeat),
    }
    if exports:
        row["fhir"] = timed(lambda: to_fhir_bundle(report), max(repeat // 2, 1))
        row["pdf"] = timed(lambda: render_pdf(report), max(repeat // 3, 1))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-exports", action="store_true", help="time build and hash only")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    build_report(report_input(10))  # warm imports and caches
    rows = [measure(n, args.repeat, not args.no_exports) for n in args.sizes]
    for row in rows:
        parts = [
            f"{name} {row[name]['median_ms']:.2f} ms"
            for name in ("build", "hash", "fhir", "pdf")
            if name in row
        ]
        print(f"{row['events']:>7} events: " + ", ".join(parts) + " (median)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(
                {
                    "python": platform.python_version(),
                    "machine": platform.machine(),
                    "results": rows,
                },
                out,
                indent=2,
            )


if __name__ == "__main__":
    main()
