"""/metrics as production runs it: gunicorn (two workers, config/gunicorn.py) and a Celery
worker counting into one PROMETHEUS_MULTIPROC_DIR; one scrape of the API shows them all."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from teleframe import tasks
from tests.conftest import settings_env, wait_for
from tests.integration.http import call, free_port
from tests.metrics.scrape import FAMILIES, UUID_LIKE, families, label_values, value
from tests.processes import Beat
from tests.samples import GOOD_CHECKIN
from tests.webhooks.receiver import Receiver
from tests.webhooks.worker import BEAT_TASKS, WebhookWorker

pytestmark = [pytest.mark.services, pytest.mark.slow]
LOOPBACK = "127.0.0.1/32"


@pytest.fixture
def metrics_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "metrics"
    folder.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    return folder


@pytest.fixture
def celery_worker(settings, tmp_path, metrics_dir) -> Iterator[WebhookWorker]:  # type: ignore[no-untyped-def]
    running = WebhookWorker(settings, tmp_path, LOOPBACK)  # takes the environment set above
    running.start()
    yield running
    running.stop()


@pytest.fixture
def api(settings, tmp_path, celery_worker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {
        **os.environ,
        **settings_env(settings),
        "TELEFRAME_QUEUE": celery_worker.queue,
        "TELEFRAME_WEBHOOK_ALLOW_PRIVATE": LOOPBACK,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:config.gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "teleframe:create_app()",
    ]
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def listening() -> bool:
        assert server.poll() is None, log_path.read_text()
        try:
            urllib.request.urlopen(base + "/metrics", timeout=1)
            return True
        except OSError:
            return False

    wait_for(listening, timeout=30, interval=0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


def scrape(base: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(base + "/metrics", timeout=5) as answer:
        assert answer.headers.get_all("Content-Type") == [
            "text/plain; version=1.0.0; charset=utf-8"
        ]
        return families(answer.read().decode())


def test_one_scrape_shows_the_api_and_the_workers(app, api, celery_worker, make_practice) -> None:  # type: ignore[no-untyped-def]
    practice = make_practice()
    with (
        Receiver() as receiver,
        Beat(app.extensions["celery"], BEAT_TASKS, every=0.5, queue=celery_worker.queue),
    ):
        status, endpoint = call(
            api,
            "POST",
            "/v1/webhook-endpoints",
            practice.key,
            {"url": receiver.url, "event_types": ["checkin.submitted"]},
        )
        assert status == 201, endpoint
        receiver.secret = endpoint["secret"]
        session = practice.session()
        before = scrape(api)
        status, body = call(
            api, "POST", f"/v1/sessions/{session}/checkins", practice.key, GOOD_CHECKIN
        )
        assert status == 202, body
        evaluated = {"task": tasks.EVALUATE_CHECKIN, "outcome": "success"}
        wait_for(
            lambda: (
                value(scrape(api), "teleframe_tasks_total", **evaluated)
                > value(before, "teleframe_tasks_total", **evaluated)
            ),
            timeout=30,
        )
        wait_for(lambda: receiver.received, timeout=30)
        wait_for(
            lambda: (
                value(scrape(api), "teleframe_deliveries_total", outcome="succeeded")
                > value(before, "teleframe_deliveries_total", outcome="succeeded")
            ),
            timeout=30,
        )
    after = scrape(api)
    assert not [name for name in FAMILIES if name not in after]
    checkins = {
        "route": "/v1/sessions/<uuid:session_id>/checkins",
        "method": "POST",
        "status": "202",
    }
    sample = "teleframe_http_request_duration_seconds_count"
    assert value(after, sample, **checkins) == value(before, sample, **checkins) + 1
    verdicts = "teleframe_checkin_verdict_seconds_count"
    assert value(after, verdicts) >= value(before, verdicts) + 1
    assert not [v for v in label_values(after) if UUID_LIKE.search(v)]


def test_failed_tasks_and_hooks_are_counted(app, api, celery_worker) -> None:  # type: ignore[no-untyped-def]
    failed = {"task": tasks.EVALUATE_CHECKIN, "outcome": "failure"}
    hooks = {"provider": "daily", "outcome": "unknown_integration"}
    before = scrape(api)
    app.extensions["celery"].send_task(tasks.EVALUATE_CHECKIN, args=[], queue=celery_worker.queue)
    request = urllib.request.Request(f"{api}/hooks/daily/{uuid.uuid4()}", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=5)
    wait_for(
        lambda: (
            value(scrape(api), "teleframe_tasks_total", **failed)
            > value(before, "teleframe_tasks_total", **failed)
        ),
        timeout=30,
    )
    after = scrape(api)
    assert (
        value(after, "teleframe_inbound_hooks_total", **hooks)
        == value(before, "teleframe_inbound_hooks_total", **hooks) + 1
    )


def test_every_gunicorn_worker_answers_with_the_sum_of_all(api) -> None:  # type: ignore[no-untyped-def]
    """Requests land on either of the two workers; each scrape, on whichever, counts them all."""
    route = {"route": "/healthz"}
    sample = "teleframe_http_request_duration_seconds_count"
    for _ in range(6):
        with pytest.raises(urllib.error.HTTPError):  # 503: no beat here
            urllib.request.urlopen(api + "/healthz", timeout=5)
    assert {value(scrape(api), sample, **route) for _ in range(6)} == {6}
