"""CPU seconds spent by each part of a phase: the API, the worker, PostgreSQL and Redis.

Requests per second on a shared two-core machine move with whatever else runs on it; the CPU
each part spends per item moves far less, so it shows where a check-in's cost lies and how
it compares with the floor's, phase by phase. Read from /proc (Linux): user + system time of
every process in each group, before and after.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.stack import Started, children

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
SERVICES = {"postgres": "postgres", "redis": "redis-server"}


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0  # ended meanwhile
    return int(fields[11]) + int(fields[12])  # utime, stime


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children(current))
    return found


def _named(command: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _snapshot(parts: dict[str, Started]) -> dict[str, dict[int, int]]:
    groups = {name: _tree(item.process.pid) for name, item in parts.items()}
    groups.update({name: _named(command) for name, command in SERVICES.items()})
    return {name: {pid: _ticks(pid) for pid in pids} for name, pids in groups.items()}


@contextmanager
def spent(parts: dict[str, Started]) -> Iterator[Callable[[int], dict[str, Any]]]:
    """`per(items)` after the block: each group's CPU milliseconds per item. PostgreSQL and
    Redis count every backend on the machine (the bench's own are most of it)."""
    before = _snapshot(parts)
    result: dict[str, float] = {}

    def per(items: int) -> dict[str, Any]:
        return {
            name: round(seconds * 1000 / max(items, 1), 2) for name, seconds in result.items()
        } | {"items": items}

    yield per
    after = _snapshot(parts)
    for name, now in after.items():
        then = before.get(name, {})
        result[name] = sum(ticks - then.get(pid, 0) for pid, ticks in now.items()) / TICKS
