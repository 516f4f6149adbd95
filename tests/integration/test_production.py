"""The production shape: gunicorn serving the API, a Celery worker, Redis and PostgreSQL,
all configured from TELEFRAME_* variables, as docker-compose.yml runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import settings_env
from tests.integration.http import call, free_port
from tests.samples import GOOD_CHECKIN

pytestmark = pytest.mark.slow


@pytest.fixture
def gunicorn(settings, tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, **settings_env(settings)}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "teleframe:create_app()",
    ]
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # listening; 503 until a beat runs beside the worker, and none does here
        except OSError:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not come up"
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_checkin_through_gunicorn_gets_a_worker_verdict(gunicorn, worker, make_practice):
    practice = make_practice()
    session = practice.session()  # set up through the app; the check-in goes over HTTP
    sent = time.monotonic()
    status, accepted = call(
        gunicorn, "POST", f"/v1/sessions/{session}/checkins", practice.key, GOOD_CHECKIN
    )
    assert status == 202, accepted
    while True:
        _, frame = call(gunicorn, "GET", accepted["frame_url"], practice.key)
        if frame["evaluation"]:
            break
        assert time.monotonic() - sent < 2.0, "no verdict within 2 seconds"
        time.sleep(0.05)
    assert frame["evaluation"]["status"] == "clear"
    status, problem = call(
        gunicorn,
        "POST",
        f"/v1/sessions/{session}/checkins",
        practice.key,
        {"privacy": {"private_space": "yes"}},
    )
    assert status == 422 and "private_space" in json.dumps(problem["errors"])
