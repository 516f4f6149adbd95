"""The supervisor behind `teleframe serve`, with real child processes."""

from __future__ import annotations

import os
import sys
import time

import psutil
import pytest

from teleframe.runtime.supervisor import MAX_EXITS, Child, GaveUp, Supervisor

pytestmark = pytest.mark.slow


def poll_until_gave_up(supervisor: Supervisor, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            supervisor.poll()
        except GaveUp as error:
            return str(error)
        time.sleep(0.05)
    raise AssertionError("the supervisor never gave up")


def test_a_child_that_keeps_exiting_is_restarted_then_given_up_on(tmp_path) -> None:  # type: ignore[no-untyped-def]
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    said: list[str] = []
    supervisor = Supervisor(said.append)
    supervisor.start(Child("worker", [sys.executable, "-c", script], dict(os.environ)))
    message = poll_until_gave_up(supervisor, 30)
    assert message.startswith(f"the worker exited {MAX_EXITS} times")
    assert "last exit code 3" in message
    assert starts.read_text() == "x" * MAX_EXITS  # restarted each time until then
    assert sum("restarting worker" in line for line in said) == MAX_EXITS - 1


def test_stop_ends_each_child_and_what_it_forked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
        "time.sleep(60)"
    )
    supervisor = Supervisor(lambda _: None)
    child = supervisor.start(Child("worker", [sys.executable, "-c", script], dict(os.environ)))
    assert child.process is not None
    parent = psutil.Process(child.process.pid)
    deadline = time.monotonic() + 10
    while not parent.children() and time.monotonic() < deadline:
        time.sleep(0.05)
    family = [parent, *parent.children(recursive=True)]
    assert len(family) == 2
    supervisor.stop()
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []
    supervisor.poll()  # stopping is not an exit to restart from
    assert child.process.poll() is not None and child.restart_at is None
