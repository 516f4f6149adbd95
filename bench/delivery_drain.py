"""`python -m bench.delivery_drain`: how fast a backlog of outbound webhooks drains.

A scratch database gets one practice with a backlog of due deliveries (to one endpoint, then
spread over several); a real Celery worker consumes the delivery and maintenance queues; a
stand-in beat sends `deliver_due` every 2 s, as `celery beat` does; a receiver on loopback
answers 204 at once. Prints deliveries per second until every delivery has succeeded, and the
most attempts ever in flight at one endpoint (the limit must hold). Speed belongs here, never
in a test.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench import stack
from config.settings import Settings


class FastReceiver:
    """Answers 204 at once; counts requests in flight per path (one path per endpoint)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.received = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                with receiver.lock:
                    receiver.in_flight[self.path] += 1
                    receiver.peak[self.path] = max(
                        receiver.peak[self.path], receiver.in_flight[self.path]
                    )
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(0.002)  # a receiver that does a little work
                with receiver.lock:
                    receiver.in_flight[self.path] -= 1
                    receiver.received += 1
                self.send_response(204)
                self.send_header("Connection", "close")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{path}"


def backlog(app: Any, receiver: FastReceiver, endpoints: int, total: int) -> uuid.UUID:
    """One practice, `endpoints` endpoints, `total` due deliveries spread over them."""
    from teleframe.extensions import db
    from teleframe.models import Delivery, OutboundEvent, Practice, WebhookEndpoint
    from teleframe.models.base import utcnow
    from teleframe.operations.delivery import new_secret

    now = utcnow()
    with app.app_context():
        practice = Practice(id=uuid.uuid4(), name="bench")
        db.session.add(practice)
        made = []
        for number in range(endpoints):
            endpoint = WebhookEndpoint(
                id=uuid.uuid4(),
                practice_id=practice.id,
                url=receiver.url(f"e{number}"),
                event_types=["checkin.submitted"],
                secret=new_secret(),
                created_at=now - timedelta(hours=1),
            )
            db.session.add(endpoint)
            made.append(endpoint)
        db.session.flush()
        for index in range(total):
            event = OutboundEvent(
                id=uuid.uuid4(),
                practice_id=practice.id,
                type="checkin.submitted",
                occurrence=str(index),
                payload={"checkin_id": str(uuid.uuid4())},
                created_at=now,
            )
            db.session.add(event)
            db.session.flush()
            db.session.add(
                Delivery(
                    id=uuid.uuid4(),
                    practice_id=practice.id,
                    endpoint_id=made[index % endpoints].id,
                    event_id=event.id,
                    event_type=event.type,
                    status="pending",
                    next_attempt_at=now,
                    attempts=[],
                    created_at=now,
                )
            )
        db.session.commit()
        return practice.id


def succeeded(app: Any, practice_id: uuid.UUID) -> int:
    from sqlalchemy import func, select

    from teleframe.extensions import db
    from teleframe.models import Delivery

    with app.app_context():
        return int(
            db.session.scalar(
                select(func.count()).where(
                    Delivery.practice_id == practice_id, Delivery.status == "succeeded"
                )
            )
            or 0
        )


def drain(app: Any, practice_id: uuid.UUID, total: int, timeout: float) -> float:
    """Seconds until every delivery succeeded, with beat's `deliver_due` every 2 s."""
    from teleframe import tasks

    celery = app.extensions["celery"]
    started = time.monotonic()
    next_tick = started
    while (done := succeeded(app, practice_id)) < total:
        if time.monotonic() > started + timeout:
            raise RuntimeError(f"only {done} of {total} delivered in {timeout:.0f} s")
        if time.monotonic() >= next_tick:
            celery.send_task(tasks.DELIVER_DUE)
            next_tick += 2.0
        time.sleep(0.05)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery_drain")
    parser.add_argument("--total", type=int, default=4000, help="deliveries in the backlog")
    parser.add_argument("--endpoints", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--concurrency", type=int, default=16, help="delivery worker threads")
    parser.add_argument("--pool", default="threads", choices=("threads", "prefork"))
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)

    from teleframe import create_app, migrations, tasks
    from teleframe.db import crypto

    key = crypto.new_key("b1")
    prefix = f"teleframe-bench-{uuid.uuid4().hex[:8]}"
    receiver = FastReceiver()
    with (
        stack.scratch_database() as db_url,
        stack.redis_keys() as keys,
        tempfile.TemporaryDirectory() as folder,
    ):
        keys.extend(tasks.queues(prefix))
        migrations.upgrade(db_url)
        settings = Settings(Path(folder), db_url, stack.REDIS_URL, uuid.uuid4().hex, (key,),
                            queue=prefix)  # fmt: skip
        app = create_app(settings)
        env = {
            "TELEFRAME_DATABASE_URL": db_url,
            "TELEFRAME_BROKER_URL": stack.REDIS_URL,
            "TELEFRAME_SECRET_KEY": settings.secret_key,
            "TELEFRAME_ENCRYPTION_KEYS": key,
            "TELEFRAME_QUEUE": prefix,
            "TELEFRAME_DATA_DIR": folder,
            "TELEFRAME_WEBHOOK_ALLOW_PRIVATE": "127.0.0.1/32",
            "TELEFRAME_PUBLIC_URL": "http://127.0.0.1",
        }
        procs = stack.Processes(Path(folder))
        hostname = f"delivery-{uuid.uuid4().hex[:6]}@bench"
        queues = ",".join(tasks.queues(prefix, (tasks.DELIVERY, tasks.MAINTENANCE)))
        command = [stack.sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q",
                   queues, "-n", hostname, "--pool", args.pool, "--concurrency",
                   str(args.concurrency), "--without-mingle", "--without-gossip",
                   "--loglevel", "WARNING"]  # fmt: skip
        try:
            worker = procs.start("delivery-worker", command, env)
            stack.wait_worker(worker, stack.REDIS_URL, hostname)
            for endpoints in args.endpoints:
                practice_id = backlog(app, receiver, endpoints, args.total)
                seconds = drain(app, practice_id, args.total, args.timeout)
                peak = max(receiver.peak.values())
                receiver.peak.clear()
                print(
                    f"{args.total} deliveries to {endpoints} endpoint(s): {seconds:.1f} s, "
                    f"{args.total / seconds:.0f}/s; most in flight at one endpoint: {peak}"
                )
        finally:
            procs.stop_all()
            receiver.server.shutdown()


if __name__ == "__main__":
    main()
