"""The README's first command on a fresh virtual environment: no Redis, no PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import VERDICT_SECONDS
from tests.integration.http import call, new_session, serving
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
    with serving([teleframe], tmp_path, env) as base:
        k = key.group(1)
        session_id = new_session(base, k)
        sent = time.monotonic()
        checkins = f"/v1/sessions/{session_id}/checkins"
        status, accepted = call(base, "POST", checkins, k, GOOD_CHECKIN)
        assert status == 202, accepted
        while True:
            _, frame = call(base, "GET", accepted["frame_url"], k)
            if frame["evaluation"]:
                break
            assert time.monotonic() - sent < VERDICT_SECONDS, f"no verdict in {VERDICT_SECONDS} s"
            time.sleep(0.05)
        assert frame["evaluation"]["status"] in {"clear", "attention"}
        assert frame["state"] == "checked_in"
