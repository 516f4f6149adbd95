"""Fixtures against the real services: a fresh PostgreSQL database per run, Redis, Celery.

Service-backed tests fail (never skip) when CI=true and a service is unreachable; on a
developer machine they skip with the reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from hypothesis import settings as hypothesis_settings

from config.settings import Settings
from teleframe.db import crypto

pytest_plugins = ("tests.browser",)  # chromium, a live server and axe-core, for browser tests

PG_ADMIN_URL = os.environ.get("TELEFRAME_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TELEFRAME_TEST_REDIS", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"

# The product's promise is a verdict within 2 s of a check-in; it is measured in bench/ and
# quoted in the README. Tests assert a bound that tells a working pipeline from a stalled one
# (the stalls they guard against lasted 60 to 90 s) without failing because a shared two-core
# machine is busy; each prints what it measured.
VERDICT_SECONDS = float(os.environ.get("TELEFRAME_TEST_VERDICT_SECONDS", "10"))

# no per-example deadline: on a shared two-core machine it measures the neighbours, not us
# (speed is measured in bench/); every @settings below inherits this
hypothesis_settings.register_profile("teleframe", deadline=None)
hypothesis_settings.load_profile("teleframe")


def service_missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection beyond loopback is a bug: teleframe's tests never leave the machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"unexpected outbound connection to {host}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    real_getaddrinfo = socket.getaddrinfo

    def local_names_only(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Name lookups leave the machine too: only addresses and localhost resolve here."""
        import ipaddress

        name = host.decode() if isinstance(host, bytes) else host
        try:
            ipaddress.ip_address(str(name).split("%")[0])
        except ValueError:
            if name not in (None, "localhost"):
                raise socket.gaierror(socket.EAI_NONAME, f"no lookups in tests: {name}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_names_only)


@pytest.fixture(scope="session")
def encryption_key() -> str:
    return crypto.new_key("t1")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"teleframe_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_missing(f"PostgreSQL at {PG_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    from teleframe import migrations

    migrations.upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as probe:
            probe.ping()
    except redis.RedisError as error:
        service_missing(f"Redis at {REDIS_URL}: {error}")
    return REDIS_URL


@pytest.fixture(scope="session")
def queue_name() -> Iterator[str]:
    from teleframe import tasks

    name = f"teleframe-test-{uuid.uuid4().hex[:8]}"
    yield name
    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(REDIS_URL).delete(*tasks.queues(name))


@pytest.fixture(scope="session")
def settings(
    tmp_path_factory: pytest.TempPathFactory,
    pg_url: str,
    redis_url: str,
    queue_name: str,
    encryption_key: str,
) -> Settings:
    return Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")),
        database_url=pg_url,
        broker_url=redis_url,
        secret_key="test-secret-" + uuid.uuid4().hex,
        encryption_keys=(encryption_key,),
        queue=queue_name,
        api_key_cache_seconds=1,
        relay_grace_seconds=2,
        public_url="http://localhost",
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The same settings as TELEFRAME_* variables, for processes the tests start."""
    return {
        "TELEFRAME_DATA_DIR": str(settings.data_dir),
        "TELEFRAME_DATABASE_URL": settings.database_url,
        "TELEFRAME_BROKER_URL": settings.broker_url,
        "TELEFRAME_SECRET_KEY": settings.secret_key,
        "TELEFRAME_PUBLIC_URL": settings.public_url or "http://127.0.0.1",
        "TELEFRAME_ENCRYPTION_KEYS": ",".join(settings.encryption_keys),
        "TELEFRAME_QUEUE": settings.queue,
        "TELEFRAME_API_KEY_CACHE_SECONDS": str(settings.api_key_cache_seconds),
        "TELEFRAME_RELAY_GRACE_SECONDS": str(settings.relay_grace_seconds),
        "TELEFRAME_WEBHOOK_ALLOW_PRIVATE": settings.webhook_allow_private,
        "TELEFRAME_WEBHOOK_DEADLINE_SECONDS": str(settings.webhook_deadline_seconds),
    }


@pytest.fixture(scope="session")
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from teleframe import create_app
    from teleframe.extensions import db

    made = create_app(settings, TESTING=True)
    yield made
    with made.app_context():
        db.engine.dispose()  # close pooled connections now, not whenever they are collected


@pytest.fixture
def sqlite_app(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """The app on a fresh SQLite database, as `teleframe serve` runs it (embedded mode)."""
    from teleframe import create_app, migrations
    from teleframe.extensions import db

    url = f"sqlite:///{tmp_path / 'embedded.db'}"
    migrations.upgrade(url)
    embedded = create_app(
        dataclasses.replace(settings, database_url=url, data_dir=tmp_path), TESTING=True
    )
    yield embedded
    with embedded.app_context():
        db.engine.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def either_app(request: pytest.FixtureRequest, app: Any) -> Any:
    """`app` on PostgreSQL, then on SQLite: for a module whose tests must hold on both
    (override `app` with it)."""
    return app if request.param == "postgresql" else request.getfixturevalue("sqlite_app")


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


class PracticeHandle:
    """A practice and its key, with helpers that speak to the API as that practice."""

    def __init__(self, app, practice_id: uuid.UUID, key: str) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.id = practice_id
        self.key = key
        self.headers = {"Authorization": f"Bearer {key}"}
        self.http = app.test_client()

    def post(self, path: str, body: object):  # type: ignore[no-untyped-def]
        return self.http.post(path, json=body, headers=self.headers)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.http.get(path, headers=self.headers)

    def clinician(self, **overrides: object) -> str:
        body = {
            "name": "Dana Reyes",
            "home_jurisdiction": "US-CA",
            "licenses": [
                {
                    "jurisdiction": "US-CA",
                    "kind": "LMFT",
                    "number": "LMFT-12345",
                    "expires_on": "2030-06-30",
                }
            ],
            "compacts": [],
            **overrides,
        }
        response = self.post("/v1/clinicians", body)
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def client(self) -> str:
        response = self.post(
            "/v1/clients", {"display_name": "Sam Client", "date_of_birth": "1990-04-02"}
        )
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def session(self, start: str | None = None, **video: str) -> str:
        """A session starting soon (inside the default check-in window) unless `start`."""
        begins = datetime.fromisoformat(start) if start else soon()
        body = {
            "clinician_id": self.clinician(),
            "client_id": self.client(),
            "scheduled_start": begins.isoformat(),
            "scheduled_end": (begins + timedelta(minutes=50)).isoformat(),
            "external_ref": "appt-981",
            "video": video or None,
        }
        response = self.post("/v1/sessions", body)
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])


def new_practice(app, name: str = "Practice") -> PracticeHandle:  # type: ignore[no-untyped-def]
    """A practice with the default policy and an admin key, in `app`'s database."""
    from teleframe.api.auth import issue_key
    from teleframe.extensions import db
    from teleframe.models import Practice
    from teleframe.operations import policy

    with app.app_context():
        practice = Practice(id=uuid.uuid4(), name=name)
        db.session.add(practice)
        db.session.flush()
        policy.ensure_default(db.session, practice.id)
        key = issue_key(db.session, practice.id)
        db.session.commit()
        return PracticeHandle(app, practice.id, key)


@pytest.fixture
def make_practice(app):  # type: ignore[no-untyped-def]
    return lambda name="Practice": new_practice(app, name)


def soon(minutes: int = 10) -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0)


def start_worker(settings: Settings, log_path: Path) -> subprocess.Popen[bytes]:
    """A real Celery worker process (solo pool) with `settings`, ready to take tasks."""
    env = {**os.environ, **settings_env(settings)}
    command = [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "--pool", "solo",
               "--without-mingle", "--without-gossip", "--loglevel", "INFO"]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("Celery worker did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.1)
    return process


@pytest.fixture(scope="session")
def worker(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real Celery worker process on the test queue, PostgreSQL and Redis."""
    log_path = Path(tmp_path_factory.mktemp("worker")) / "worker.log"
    process = start_worker(settings, log_path)
    process.log_path = log_path  # type: ignore[attr-defined]
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.02):  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Moves the time sign-in sessions, lockouts and authenticator codes see."""
    from tests.accounts.people import Clock

    made = Clock()
    monkeypatch.setattr("teleframe.accounts.clock.now", made.now)
    return made
