"""Child processes kept running: restarted with backoff when they exit, given up on (and
reported) when they keep exiting, and all stopped together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# more exits than this within the window and the child is not coming back by itself
MAX_EXITS = 5
WINDOW_SECONDS = 60.0
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8.0
STOP_TIMEOUT_SECONDS = 15.0


class GaveUp(Exception):
    """A child kept exiting; the message says which and how."""


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    last_code: int | None = None

    def start(self) -> None:
        # a session of its own: a Ctrl-C at the terminal reaches the supervisor alone, which
        # then stops the children in order (worker and beat before the broker they use)
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True)  # noqa: S603
        self.restart_at = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def backoff(exits: int) -> float:
    return min(FIRST_BACKOFF_SECONDS * 2 ** max(exits - 1, 0), MAX_BACKOFF_SECONDS)


@dataclass
class Supervisor:
    say: Callable[[str], None]
    children: list[Child] = field(default_factory=list)
    stopped: bool = False

    def start(self, child: Child) -> Child:
        self.children.append(child)
        child.start()
        return child

    def poll(self, now: float | None = None) -> None:
        """Notice exits, schedule restarts, run those that are due; raises GaveUp."""
        if self.stopped:
            return  # a child stopped on purpose is not restarted
        now = time.monotonic() if now is None else now
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self.say(f"restarting {child.name}")
                    child.start()
                continue
            if child.process is None or child.running:
                continue
            self._exited(child, now)

    def _exited(self, child: Child, now: float) -> None:
        assert child.process is not None
        child.last_code = child.process.returncode
        child.exits.append(now)
        while child.exits and now - child.exits[0] > WINDOW_SECONDS:
            child.exits.popleft()
        if len(child.exits) >= MAX_EXITS:
            raise GaveUp(
                f"the {child.name} exited {len(child.exits)} times in {WINDOW_SECONDS:.0f} s "
                f"(last exit code {child.last_code}); stopping. Its log is above."
            )
        wait = backoff(len(child.exits))
        self.say(f"{child.name} exited (code {child.last_code}); restarting in {wait:.1f} s")
        child.restart_at = now + wait

    def stop(self) -> None:
        """SIGTERM to every child, newest first, then SIGKILL to any still there after a wait."""
        self.stopped = True
        running = [child for child in reversed(self.children) if child.running]
        for child in running:
            self._signal(child, signal.SIGTERM)
            self._wait(child, STOP_TIMEOUT_SECONDS)
        for child in self.children:
            child.restart_at = None

    def _signal(self, child: Child, signum: int) -> None:
        assert child.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signum)  # the child and anything it forked

    def _wait(self, child: Child, timeout: float) -> None:
        assert child.process is not None
        try:
            child.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.say(f"{child.name} did not stop in {timeout:.0f} s; killing it")
            self._signal(child, signal.SIGKILL)
            child.process.wait()
        # what it forked may still be alive: its group goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.process.pid, signal.SIGKILL)
