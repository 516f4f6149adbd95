"""Micro-benchmark: microseconds per check-in evaluation (pure CPU, no I/O).

    python bench/policy_eval.py [--n 20000] [--json out.json]

Evaluates a varied, deterministic set of check-ins (complete, incomplete, wrong place, others
present, bad phones, out of window) against the default policy and against the default
policy plus two CEL custom rules, and prints one line per policy.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from teleframe.services.evaluation import ClinicianFacts, LicenceFacts, SessionFacts, evaluate
from teleframe.services.policy import compile_policy, default_policy_text, parse_policy
from teleframe.services.reference import load_reference

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
SESSION = SessionFacts(START, START + timedelta(minutes=50), date(1990, 4, 2))
CLINICIAN = ClinicianFacts(
    home_jurisdiction="US-NC",
    licenses=(
        LicenceFacts("US-CA", "LMFT", "LMFT-12345", date(2027, 6, 30)),
        LicenceFacts("US-NY", "LP", "LP-1", date(2025, 1, 31)),
    ),
    compacts=("PSYPACT",),
)
CUSTOM_RULES = """
custom_rules:
  - id: no-work
    expression: has(checkin.location.place_type) && checkin.location.place_type == "work"
    message: Please join from somewhere other than work.
  - id: small-group
    expression: has(checkin.others_present) && size(checkin.others_present) > 2
    severity: block
    message: Too many people are with you.
"""


def checkins(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    places = ["home", "home", "work", "vehicle", "public", "healthcare_facility", None]
    where = [("US", "US-CA"), ("US", "US-NC"), ("US", "US-NY"), ("US", None), ("FR", None)]
    out = []
    for _ in range(count):
        country, subdivision = rng.choice(where)
        others = [
            {
                "relationship": "partner",
                "minor": rng.random() < 0.2,
                "client_consents_to_hear": rng.random() < 0.8,
            }
            for _ in range(rng.choice([0, 0, 1, 3]))
        ]
        out.append({
            "location": {"country": country, "subdivision": subdivision, "locality": "Oakland",
                         "address": "1200 Lakeshore Ave", "place_type": rng.choice(places)},
            "privacy": {"private_space": rng.random() < 0.9, "can_speak_freely": True},
            "others_present": others if rng.random() < 0.9 else None,
            "backup": {
                "callback_phone": rng.choice(["+15105550123", "+33142685300", "+1123", None]),
                "emergency_contact": rng.choice([
                    {"name": "Alex", "relationship": "sibling", "phone": "+14155550188"}, None,
                ]),
            },
            "readiness": {"good_time_to_proceed": True, "not_driving": rng.random() < 0.95},
        })  # fmt: skip
    return out


def run(policy_text: str, sample: list[dict[str, Any]], n: int) -> dict[str, Any]:
    policy = compile_policy(parse_policy(policy_text))
    reference = load_reference(policy.policy["reference_overrides"])
    submitted = [START - timedelta(minutes=m) for m in (5, 30, 90, -20)]
    for checkin in sample:  # warm caches (phonenumbers metadata, pycountry)
        evaluate(checkin, SESSION, CLINICIAN, policy, reference, submitted_at=submitted[0])
    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for i in range(n):
            evaluate(sample[i % len(sample)], SESSION, CLINICIAN, policy, reference,
                     submitted_at=submitted[i % 4])  # fmt: skip
        rounds.append((time.perf_counter() - began) / n * 1e6)
    return {"us_per_eval_median": round(statistics.median(rounds), 1),
            "us_per_eval_best": round(min(rounds), 1), "evaluations": n * 5}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="evaluations per round (5 rounds)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    sample = checkins(500)
    base = default_policy_text()
    results = {
        "default_policy": run(base, sample, args.n),
        "default_plus_2_cel_rules": run(
            base.replace("custom_rules: []", CUSTOM_RULES), sample, args.n
        ),
    }
    for name, result in results.items():
        print(
            f"policy_eval {name}: {result['us_per_eval_median']} us/evaluation "
            f"(best {result['us_per_eval_best']}, {result['evaluations']} evaluations, "
            f"{len(sample)} distinct check-ins)"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"python": platform.python_version(), **results}, handle, indent=2)


if __name__ == "__main__":
    main()
