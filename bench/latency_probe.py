"""Open-loop paced check-ins, each followed until its verdict shows through the API.

    python -m bench.latency_probe CONFIG.json OUT.json

Run as a process of its own by the harness. Check-ins are scheduled at a fixed rate whatever
the answers' speed (open loop), and latency runs from the scheduled send time, so a stalled
server cannot hide its queueing. After the 202, the verdict URL is polled every `poll_ms` until its
evaluation is this check-in's (or, with `"mode": "wait"`, asked once with `Prefer: wait`), backing off (x2, at most `max_poll_ms`, 250 by default) so a slow verdict
does not turn the probe into a flood of reads. Also kept: the server-side lag (evaluated_at - submitted_at).
"""

from __future__ import annotations

import http.client
import json
import queue
import sys
import threading
import time
from datetime import datetime
from typing import Any

from bench.stats import percentile


class Connection:
    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(
        self, method: str, path: str, body: str | None = None, extra: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        headers = {**self.headers, **(extra or {})}
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                return response.status, json.loads(response.read() or b"null")
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def follow(
    conn: Connection,
    job: dict[str, Any],
    poll_s: float,
    max_poll_s: float,
    timeout_s: float,
    prefer_wait: bool = False,
) -> dict[str, Any]:
    status, body = conn.call("POST", f"/v1/sessions/{job['session_id']}/checkins", job["body"])
    accepted = time.monotonic()
    if status != 202:
        return {"error": f"submit answered {status}"}
    polls, wait = 0, poll_s
    while time.monotonic() - accepted < timeout_s:
        if prefer_wait and polls == 0:  # one request that answers once the verdict is stored
            extra = {"Prefer": f"wait={max(int(timeout_s), 1)}"}
        else:  # polling, or the server's waiters were all taken (TELEFRAME_VERDICT_WAITERS)
            time.sleep(wait)
            wait, extra = min(wait * 2, max_poll_s), None
        polls += 1
        # the verdict route: what a platform waiting on the client polls (no PHI, no audit row)
        _status, verdict = conn.call("GET", body["verdict_url"], extra=extra)
        verdict = verdict or {}
        if verdict.get("status") not in (None, "pending"):
            seen = time.monotonic()
            server = datetime.fromisoformat(verdict["evaluated_at"]) - datetime.fromisoformat(
                verdict["submitted_at"]
            )
            return {
                "latency_ms": (seen - job["scheduled"]) * 1000,
                "submit_ms": (accepted - job["scheduled"]) * 1000,
                "server_ms": server.total_seconds() * 1000,
                "polls": polls,
                "status": verdict.get("status"),
            }
    return {"error": "verdict not seen in time", "polls": polls}


def run(config: dict[str, Any]) -> dict[str, Any]:
    rate, duration = float(config["rate"]), float(config["duration"])
    poll_s, timeout_s = config.get("poll_ms", 5) / 1000, config.get("timeout_s", 10)
    max_poll_s = config.get("max_poll_ms", 250) / 1000
    prefer_wait = config.get("mode") == "wait"
    jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()
    results: list[dict[str, Any]] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = Connection(config["port"], config["key"])
        while (job := jobs.get()) is not None:
            try:
                outcome = follow(conn, job, poll_s, max_poll_s, timeout_s, prefer_wait)
            except Exception as error:  # a probe failure is a result, not a crash
                outcome = {"error": repr(error)}
            with lock:
                results.append(outcome)

    threads = [
        threading.Thread(target=worker, daemon=True) for _ in range(config.get("threads", 48))
    ]
    for thread in threads:
        thread.start()
    total = int(rate * duration)
    sessions, bodies = config["session_ids"], config["bodies"]
    began = time.monotonic()
    for i in range(total):
        scheduled = began + i / rate
        time.sleep(max(0.0, scheduled - time.monotonic()))
        jobs.put({
            "scheduled": scheduled,
            "session_id": sessions[i % len(sessions)],
            "body": bodies[i % len(bodies)],
        })  # fmt: skip
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join(timeout=timeout_s + 30)
    return summarize(results, rate, time.monotonic() - began)


def summarize(results: list[dict[str, Any]], rate: float, elapsed: float) -> dict[str, Any]:
    good = [r for r in results if "latency_ms" in r]
    errors = [r["error"] for r in results if "error" in r]

    def pct(name: str, q: float) -> float | None:
        value = percentile([r[name] for r in good], q)
        return None if value is None else round(value, 1)

    return {
        "target_rate": round(rate, 1),
        "sent": len(results),
        "verdicts_seen": len(good),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:3],
        "elapsed_s": round(elapsed, 1),
        "p50_ms": pct("latency_ms", 50),
        "p90_ms": pct("latency_ms", 90),
        "p99_ms": pct("latency_ms", 99),
        "max_ms": pct("latency_ms", 100),
        "submit_p50_ms": pct("submit_ms", 50),
        "submit_p99_ms": pct("submit_ms", 99),
        "server_p50_ms": pct("server_ms", 50),
        "server_p99_ms": pct("server_ms", 99),
        "polls_per_checkin": round(sum(r["polls"] for r in good) / max(len(good), 1), 1),
        "verdict_reads_per_s": round(
            sum(r.get("polls", 0) for r in results) / max(elapsed, 1e-9), 1
        ),
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    result = run(config)
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
