"""Prometheus metric families and the /metrics exposition.

Every process counts its own events. With `PROMETHEUS_MULTIPROC_DIR` set (gunicorn's workers,
Celery's prefork children and the embedded worker on one host; `teleframe serve` sets it by
itself) each writes its figures to that directory and /metrics sums them all, so one scrape of
the API shows the workers' figures too. Database figures (outbox, parked work) are not counted
by anyone: they are read at scrape time. Labels are bounded sets (route rules, never paths;
provider names, outcome codes): never an id, a name or free text.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.orm import Session

from teleframe.models.base import utcnow

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "teleframe_http_request_duration_seconds",
    "API request latency by method, route rule (never the raw path) and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CHECKIN_VERDICT_SECONDS = Histogram(
    "teleframe_checkin_verdict_seconds",
    "From a check-in's submission to its verdict being stored",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
)
TASKS = Counter(
    "teleframe_tasks", "Celery tasks finished, by task name and outcome", ["task", "outcome"]
)
HOOKS = Counter(
    "teleframe_inbound_hooks",
    "Inbound platform webhooks by provider and outcome",
    ["provider", "outcome"],
)
DELIVERIES = Counter(
    "teleframe_deliveries", "Outbound webhook delivery attempts by outcome", ["outcome"]
)

# answers a platform's webhook can get, by status (200: accepted, duplicate or a URL challenge)
HOOK_OUTCOMES = {
    401: "signature_invalid",
    400: "payload_invalid",
    404: "unknown_integration",
    413: "too_large",
    503: "unavailable",
}
TASK_OUTCOMES = ("success", "failure", "retry")


def _initialise() -> None:
    """Every known series starts at 0, so a rate over it exists before its first event (and
    the family is in every scrape, in multiprocess mode too)."""
    from teleframe import tasks
    from teleframe.services import delivery as rules
    from teleframe.services.providers import PROVIDERS

    for outcome in (rules.SUCCEEDED, rules.RETRY, rules.EXHAUSTED, rules.GONE, "parked"):
        DELIVERIES.labels(outcome=outcome)
    for provider in PROVIDERS:
        for outcome in ("accepted", "duplicate", "challenge", *HOOK_OUTCOMES.values()):
            HOOKS.labels(provider=provider, outcome=outcome)
    for name in tasks.KIND_OF:
        for outcome in TASK_OUTCOMES:
            TASKS.labels(task=name, outcome=outcome)


_initialise()

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """Werkzeug accepts any method name: an unknown one must not become a new series."""
    return method if method in HTTP_METHODS else "other"


# --- after commit: count what was stored, never what was rolled back -----------------------

_ON_COMMIT = "teleframe.metrics.on_commit"


def on_commit(session: Session, count: Callable[[], None]) -> None:
    session.info.setdefault(_ON_COMMIT, []).append(count)


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for count in session.info.pop(_ON_COMMIT, ()):
        count()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def verdicts_stored(session: Session, submitted: Iterable[datetime]) -> None:
    """Observe each check-in's time to verdict once the transaction storing it commits."""
    times = list(submitted)

    def observe() -> None:
        now = utcnow()
        for at in times:
            at = at if at.tzinfo else at.replace(tzinfo=now.tzinfo)  # SQLite: naive UTC
            CHECKIN_VERDICT_SECONDS.observe(max((now - at).total_seconds(), 0.0))

    if times:
        on_commit(session, observe)


def delivery_recorded(session: Session, outcome: str | None) -> None:
    if outcome is not None:
        on_commit(session, DELIVERIES.labels(outcome=outcome).inc)


# --- exposition -----------------------------------------------------------------------------


class _ThisProcess:
    """This process's own registry (process, Python and teleframe figures)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class DatabaseCollector:
    """Outbox backlog and parked work, read when scraped (cheap aggregate queries)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        from teleframe.db import outbox
        from teleframe.operations.parked_work import parked_counts

        pending, oldest = outbox.lag(self.session)
        yield GaugeMetricFamily(
            "teleframe_outbox_pending", "Staged work not done yet", value=pending
        )
        yield GaugeMetricFamily(
            "teleframe_outbox_oldest_age_seconds",
            "Age of the oldest staged work not done yet (0 when none)",
            value=_age(oldest),
        )
        parked = GaugeMetricFamily(
            "teleframe_parked_work", "Work parked after repeated failures", labels=["kind"]
        )
        for kind, count in parked_counts(self.session).items():
            parked.add_metric([kind], count)
        yield parked


def _age(created_at: datetime | None) -> float:
    if created_at is None:
        return 0.0
    now = utcnow()
    created_at = created_at if created_at.tzinfo else created_at.replace(tzinfo=now.tzinfo)
    return max((now - created_at).total_seconds(), 0.0)


def exposition(session: Session) -> bytes:
    """Prometheus text: every process's figures (multiprocess mode) or this one's, and the
    database's."""
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get(MULTIPROC_ENV)
    collectors: list[Any] = [DatabaseCollector(session)]
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        collectors.append(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


def mark_process_dead(pid: int) -> None:
    """For gunicorn's child_exit and Celery's worker_process_shutdown: a dead process's live
    gauge files are dropped (its counters and histograms stay summed, as they should)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
