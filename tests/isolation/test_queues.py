"""Each kind of work has its own queue, and a message lands in exactly one of them."""

from __future__ import annotations

import dataclasses
import uuid

import redis

from teleframe import tasks


def test_each_task_is_routed_to_its_own_queue_and_only_there(settings):
    from teleframe import create_app

    prefix = f"teleframe-routes-{uuid.uuid4().hex[:8]}"
    app = create_app(dataclasses.replace(settings, queue=prefix), TESTING=True)
    celery = app.extensions["celery"]
    broker = redis.Redis.from_url(settings.broker_url)
    expected = {
        tasks.EVALUATE_CHECKIN: tasks.EVALUATION,
        tasks.INGEST_EVENT: tasks.INGEST,
        tasks.DELIVER_WEBHOOK: tasks.DELIVERY,
        tasks.BUILD_REPORT_DRAFT: tasks.REPORTS,
        tasks.ENFORCE_RETENTION: tasks.MAINTENANCE,
    }
    try:
        with celery.connection_for_write() as connection:  # bound, as a worker binds them
            for queue in celery.amqp.queues.values():
                queue(connection).declare()
        for name, kind in expected.items():
            celery.send_task(name, args=[str(uuid.uuid4())])
            lengths = {queue: broker.llen(queue) for queue in tasks.queues(prefix)}
            assert lengths == {q: int(q == tasks.queue(prefix, kind)) for q in lengths}, name
            broker.delete(tasks.queue(prefix, kind))
        assert set(tasks.KIND_OF) >= set(expected)
        assert set(tasks.KIND_OF.values()) == set(tasks.KINDS)
    finally:
        broker.delete(*tasks.queues(prefix), f"_kombu.binding.{prefix}")
