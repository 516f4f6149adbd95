"""The README's first command on a fresh virtual environment: no Redis, no PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import VERDICT_SECONDS
from tests.integration.http import call, init_practice, new_session, serving
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
    key = init_practice([teleframe], tmp_path, env)
    with serving([teleframe], tmp_path, env) as base:
        session_id = new_session(base, key)
        sent = time.monotonic()
        checkins = f"/v1/sessions/{session_id}/checkins"
        status, accepted = call(base, "POST", checkins, key, GOOD_CHECKIN)
        assert status == 202, accepted
        while True:
            _, frame = call(base, "GET", accepted["frame_url"], key)
            if frame["evaluation"]:
                break
            assert time.monotonic() - sent < VERDICT_SECONDS, f"no verdict in {VERDICT_SECONDS} s"
            time.sleep(0.05)
        assert frame["evaluation"]["status"] in {"clear", "attention"}
        assert frame["state"] == "checked_in"
