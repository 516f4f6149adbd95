"""The README's first command on a fresh virtual environment: no Redis, no PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import soon
from tests.integration.http import call, free_port
from tests.samples import GOOD_CHECKIN

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, str(ROOT)], check=True, timeout=900)
    return venv


def test_serve_runs_api_and_worker_and_answers_a_checkin(fresh_install, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEFRAME_")}
    env["PATH"] = f"{fresh_install / 'bin'}:{env['PATH']}"
    teleframe = str(fresh_install / "bin" / "teleframe")
    init = subprocess.run(
        [teleframe, "init"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    key = re.search(r"(tf_[A-Za-z0-9]{16,})", init.stdout)
    assert key, init.stdout + init.stderr
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [teleframe, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        k = key.group(1)
        _, clinician = call(
            base,
            "POST",
            "/v1/clinicians",
            k,
            {
                "name": "Dana Reyes",
                "home_jurisdiction": "US-CA",
                "licenses": [{"jurisdiction": "US-CA", "kind": "LMFT", "number": "LMFT-1"}],
            },
        )
        _, client = call(base, "POST", "/v1/clients", k, {"display_name": "Sam Client"})
        start = soon()
        status, session = call(
            base,
            "POST",
            "/v1/sessions",
            k,
            {
                "clinician_id": clinician["id"],
                "client_id": client["id"],
                "scheduled_start": start.isoformat(),
                "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
            },
        )
        assert status == 201, session
        sent = time.monotonic()
        status, accepted = call(
            base, "POST", f"/v1/sessions/{session['id']}/checkins", k, GOOD_CHECKIN
        )
        assert status == 202, accepted
        while True:
            _, frame = call(base, "GET", accepted["frame_url"], k)
            if frame["evaluation"]:
                break
            assert time.monotonic() - sent < 2.0, "no verdict within 2 seconds"
            time.sleep(0.05)
        assert frame["evaluation"]["status"] in {"clear", "attention"}
        assert frame["state"] == "checked_in"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert server.returncode is not None
