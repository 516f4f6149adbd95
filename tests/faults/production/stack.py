"""The production shape on loopback, with services of its own that a test may kill or freeze.

A private PostgreSQL cluster (initdb run as the `postgres` user, in a temporary directory it
owns, on a free port) and a private redis-server on another free port: the machine's shared
services on 5432 and 6379 are never touched. gunicorn (gthread), a prefork Celery worker and
beat run from TELEFRAME_* variables, as docker-compose.yml runs them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psycopg

from tests.integration.http import free_port

PYTHON = sys.executable


def _wait(check, what: str, timeout: float = 60.0, log: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"{what} did not come up within {timeout:g}s\n{tail}")
        time.sleep(0.1)


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command]


class Postgres:
    """A throwaway cluster: trust auth on 127.0.0.1 only, fsync off (the data is disposable)."""

    def __init__(self) -> None:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not candidates or os.geteuid() != 0 or shutil.which("runuser") is None:
            raise RuntimeError("needs root, runuser and PostgreSQL server binaries")
        self.bin = Path(candidates[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="teleframe-faults-pg-"))
        self.root.chmod(0o700)
        shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        subprocess.run(
            _as_postgres(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
        )

    def pg_ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                *args,
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def stop_immediately(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")

    def processes(self) -> list[int]:
        """The postmaster and its children."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        return [postmaster, *_children(postmaster)]

    def freeze(self) -> list[int]:
        frozen = self.processes()
        for pid in frozen:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        return frozen

    @staticmethod
    def thaw(frozen: list[int]) -> None:
        for pid in reversed(frozen):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self.dsn, connect_timeout=5, autocommit=True) as connection:
            return list(connection.execute(sql, params).fetchall())  # type: ignore[arg-type]

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.thaw(self.processes())
        with contextlib.suppress(Exception):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = directory / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.log.parent),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _wait(self._answers, "redis-server", 20, self.log)

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class Stack:
    """Services and teleframe processes; every process it starts, it stops."""

    def __init__(self, directory: Path, encryption_key: str) -> None:
        self.dir = directory
        self.pg = Postgres()
        self.redis = Redis(directory)
        self.http_port = free_port()
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = {
            **os.environ,
            "TELEFRAME_DATABASE_URL": self.pg.url,
            "TELEFRAME_BROKER_URL": self.redis.url,
            "TELEFRAME_SECRET_KEY": "faults-" + os.urandom(16).hex(),
            "TELEFRAME_ENCRYPTION_KEYS": encryption_key,
            "TELEFRAME_DATA_DIR": str(directory / "data"),
            "TELEFRAME_QUEUE": "teleframe-faults",
            "TELEFRAME_PUBLIC_URL": self.base,
            "TELEFRAME_RELAY_GRACE_SECONDS": "5",
            "TELEFRAME_API_KEY_CACHE_SECONDS": "30",
        }
        self.practice_id = ""
        self.key = ""
        self.restarts: list[str] = []  # what the supervisor brought back, in order
        self.ready: set[int] = set()  # pids the supervisor saw through start-up
        self._supervising = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)

    def start(self) -> None:
        self.pg.start()
        self.redis.start()
        made = subprocess.run(
            [str(Path(PYTHON).parent / "teleframe"), "init", "--practice-name", "Faults"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        self.practice_id = re.search(r"practice: (\S+)", made.stdout).group(1)  # type: ignore[union-attr]
        self.key = re.search(r"(tf_\w+)", made.stdout).group(1)  # type: ignore[union-attr]
        self.start_api()
        self.start_worker()
        self.start_beat()
        self._supervising.set()
        self._supervisor.start()

    def start_beat(self) -> None:
        schedule = str(self.dir / "beat-schedule")
        self.spawn("beat", ["-m", "celery", "-A", "workers.app", "beat", "-s", schedule])

    def _supervise(self) -> None:
        """What systemd's Restart=always or compose's `restart: unless-stopped` do: a worker or
        beat that exits, for whatever reason, is started again."""
        restart = {"worker": self.start_worker, "beat": self.start_beat}
        while self._supervising.is_set():
            for name, start in restart.items():
                if self._supervising.is_set() and self.processes[name].poll() is not None:
                    start()
                    self.restarts.append(name)
                    self.ready.add(self.processes[name].pid)
            time.sleep(0.2)

    def wait_restarted(self, name: str, old_pid: int) -> None:
        """Until the supervisor has started `name` again and it is ready for work."""

        def back() -> bool:
            pid = self.processes[name].pid
            return pid != old_pid and pid in self.ready

        _wait(back, f"{name} restart", 90, self.log(name))

    def spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log_path = self.dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [PYTHON, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> Path:
        return self.dir / f"{name}.log"

    def start_api(self) -> None:
        self.spawn(
            "gunicorn",
            [
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.http_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--graceful-timeout",
                "5",
                "teleframe:create_app()",
            ],
        )
        _wait(self._healthy, "gunicorn", 60, self.log("gunicorn"))

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def start_worker(self) -> None:
        before = (
            self.log("worker").read_bytes().count(b"ready.") if self.log("worker").exists() else 0
        )
        self.spawn(
            "worker",
            [
                "-m",
                "celery",
                "-A",
                "workers.app",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "2",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "INFO",
            ],
        )
        _wait(
            lambda: self.log("worker").read_bytes().count(b"ready.") > before,
            "celery worker",
            60,
            self.log("worker"),
        )

    def worker_children(self) -> list[int]:
        return _children(self.processes["worker"].pid)

    def api_workers(self) -> list[int]:
        return _children(self.processes["gunicorn"].pid)

    def stop(self) -> None:
        self._supervising.clear()
        if self._supervisor.is_alive():
            self._supervisor.join(timeout=90)
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.redis.kill()
        self.pg.destroy()


def _children(pid: int) -> list[int]:
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(Path(stat).parent.name))
    return found
