"""Beat's scheduler, saying at each tick that beat is alive (health reads it)."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery.beat import PersistentScheduler

from teleframe.runtime import heartbeat

log = logging.getLogger(__name__)


class HeartbeatScheduler(PersistentScheduler):
    """The tick loop itself writes the heartbeat: a hung scheduler stops beating too."""

    _last_beat = 0.0
    _broker: redis.Redis | None = None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now - self._last_beat >= heartbeat.INTERVAL_SECONDS:
            self._beat()
            self._last_beat = now
        interval: float = super().tick(*args, **kwargs)
        return min(interval, heartbeat.INTERVAL_SECONDS)

    def _beat(self) -> None:
        if self._broker is None:
            self._broker = heartbeat.client(self.app.conf.broker_url)
        try:
            heartbeat.beat_alive(self._broker, self.app.conf.task_default_queue)
        except redis.RedisError:
            log.warning("beat heartbeat not written: broker unreachable")
