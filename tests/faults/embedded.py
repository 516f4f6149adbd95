"""`teleframe init` and `teleframe serve` as a user runs them, and a ledger of check-ins.

The ledger counts what each fault test prints: accepted (202), completed (a verdict), lost
(accepted, never evaluated), duplicated (a second evaluation or `checkin.evaluated` event for
one check-in), 5xx answers, and the seconds from the fault until everything was evaluated.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psutil

from tests.conftest import soon
from tests.integration.http import call, free_port
from tests.samples import GOOD_CHECKIN

CLI = [sys.executable, "-m", "teleframe.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("TELEFRAME_")}


class Embedded:
    """One embedded instance in `folder`: init once, serve as often as a test needs."""

    def __init__(self, folder: Path, **env: str) -> None:
        """`env`: TELEFRAME_ variables for `serve` (the rest of the environment is cleared)."""
        self.folder = folder
        self.env = {**_env(), **env}
        self.data_dir = folder / ".teleframe"
        made = subprocess.run(
            [*CLI, "init"], cwd=folder, env=_env(), capture_output=True, text=True, timeout=120
        )
        found = re.search(r"(tf_[A-Za-z0-9]{16,})", made.stdout)
        assert found, made.stdout + made.stderr
        self.key = found.group(1)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def serve(self) -> None:
        self.starts += 1
        command = [*CLI, "serve", "--port", str(self.port)]
        with (self.folder / f"serve-{self.starts}.log").open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_healthy(90)

    def log(self) -> str:
        return (self.folder / f"serve-{self.starts}.log").read_text(errors="replace")[-6000:]

    def health(self) -> tuple[int, dict[str, object]]:
        import json

        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=3) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until /healthz answers 200."""
        started = time.monotonic()
        while True:
            assert self.process is not None and self.process.poll() is None, self.log()
            try:
                if self.health()[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass  # not listening yet
            assert time.monotonic() - started < timeout, "never healthy:\n" + self.log()
            time.sleep(0.1)

    def child(self, kind: str) -> psutil.Process:
        """The serve process's `worker`, `beat` or `redis-server` child."""
        assert self.process is not None
        for child in psutil.Process(self.process.pid).children():
            try:
                command = " ".join(child.cmdline())
            except (psutil.ZombieProcess, psutil.NoSuchProcess):
                continue  # a killed child not yet reaped by serve: not the one asked for
            if kind in command:
                return child
        raise AssertionError(f"no {kind} child:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


class Ledger:
    """Check-ins sent to an instance, and what became of them."""

    def __init__(self, instance: Embedded, sessions: int = 4) -> None:
        self.instance = instance
        self.accepted: dict[str, str] = {}  # check-in id -> verdict url
        self.verdicts: dict[str, str] = {}
        self.server_errors = 0
        self.sessions = [self._session() for _ in range(sessions)]

    def _call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        # generous: a slow answer on a shared, loaded machine is not a lost check-in
        status, answer = call(self.instance.base, method, path, self.instance.key, body, 30)
        if status >= 500:
            self.server_errors += 1
        return status, answer

    def _session(self) -> str:
        _, clinician = self._call(
            "POST",
            "/v1/clinicians",
            {
                "name": "Dana Reyes",
                "home_jurisdiction": "US-CA",
                "licenses": [{"jurisdiction": "US-CA", "kind": "LMFT", "number": "LMFT-1"}],
            },
        )
        _, client = self._call("POST", "/v1/clients", {"display_name": "Sam Client"})
        start = soon()
        status, session = self._call(
            "POST",
            "/v1/sessions",
            {
                "clinician_id": clinician["id"],
                "client_id": client["id"],
                "scheduled_start": start.isoformat(),
                "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
            },
        )
        assert status == 201, session
        return str(session["id"])

    def submit(self, count: int, threads: int = 8) -> None:
        def one(index: int) -> None:
            session = self.sessions[index % len(self.sessions)]
            status, answer = self._call("POST", f"/v1/sessions/{session}/checkins", GOOD_CHECKIN)
            if status == 202:
                self.accepted[answer["checkin_id"]] = answer["verdict_url"]

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(count)))

    def settle(self, timeout: float) -> None:
        """Poll every pending verdict until none is left or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = [c for c in self.accepted if c not in self.verdicts]
            if not pending:
                return
            for checkin_id in pending:
                status, verdict = self._call("GET", self.accepted[checkin_id])
                if status == 200 and verdict["status"] != "pending":
                    self.verdicts[checkin_id] = verdict["status"]
            time.sleep(0.1)

    def duplicated(self) -> int:
        """Check-ins with more than one evaluation or more than one `checkin.evaluated`."""
        database = sqlite3.connect(
            f"file:{self.instance.data_dir / 'teleframe.db'}?mode=ro", uri=True
        )
        with database:
            twice = database.execute(
                "SELECT count(*) FROM (SELECT checkin_id FROM evaluations"
                " GROUP BY checkin_id HAVING count(*) > 1)"
            ).fetchone()[0]
            twice += database.execute(
                "SELECT count(*) FROM (SELECT occurrence FROM outbound_events"
                " WHERE type = 'checkin.evaluated' GROUP BY occurrence HAVING count(*) > 1)"
            ).fetchone()[0]
        database.close()
        return int(twice)

    def summary(self, scenario: str, recover_seconds: float) -> dict[str, float]:
        figures = {
            "accepted": len(self.accepted),
            "completed": len(self.verdicts),
            "lost": len(self.accepted) - len(self.verdicts),
            "duplicated": self.duplicated(),
            "5xx": self.server_errors,
            "seconds to recover": round(recover_seconds, 1),
        }
        print(f"\nFAULT {scenario}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
        return figures
