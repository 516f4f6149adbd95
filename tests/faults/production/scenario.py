"""One fault under load: what was accepted, what completed, and how long recovery took."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from tests.faults.production.load import Load, evaluated, stored_checkins
from tests.faults.production.stack import Stack
from tests.integration.http import call

RESULTS: list[Outcome] = []


@dataclass(frozen=True)
class Outcome:
    name: str
    accepted: int
    completed: int
    lost: int
    duplicated: int
    server_errors: int
    unavailable: int
    recovered_seconds: float
    bound_seconds: float
    connection_errors: int = 0
    replayed: int = 0
    slowest_accept_seconds: float = 0.0
    accepted_during_fault: int = 0
    slowest_during_fault_seconds: float = 0.0
    restarted: str = ""  # processes the supervisor had to start again

    def line(self) -> str:
        return (
            f"{self.name}: accepted {self.accepted}, completed {self.completed}, lost {self.lost}, "
            f"duplicated {self.duplicated}, 5xx {self.server_errors} (503 with Retry-After: "
            f"{self.unavailable}), recovered in {self.recovered_seconds:.1f} s "
            f"(bound {self.bound_seconds:g} s); connection errors {self.connection_errors}, "
            f"retries answered by replay {self.replayed}, slowest 202 "
            f"{self.slowest_accept_seconds:.2f} s; during the fault {self.accepted_during_fault}"
            f" accepted, slowest {self.slowest_during_fault_seconds:.2f} s; restarted by the "
            f"supervisor: {self.restarted or 'nothing'}"
        )

    def assert_held(self) -> None:
        assert self.lost == 0, self.line()
        assert self.duplicated == 0, self.line()
        assert self.server_errors == 0, self.line()
        assert self.recovered_seconds <= self.bound_seconds, self.line()


def make_sessions(stack: Stack, count: int, **video: str) -> list[str]:
    made = []
    for _ in range(count):
        _, clinician = call(
            stack.base,
            "POST",
            "/v1/clinicians",
            stack.key,
            {
                "name": "Dana Reyes",
                "home_jurisdiction": "US-CA",
                "licenses": [
                    {
                        "jurisdiction": "US-CA",
                        "kind": "LMFT",
                        "number": "LMFT-1",
                        "expires_on": "2030-06-30",
                    }
                ],
            },
        )
        _, client = call(stack.base, "POST", "/v1/clients", stack.key, {"display_name": "Sam"})
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        status, session = call(
            stack.base,
            "POST",
            "/v1/sessions",
            stack.key,
            {
                "clinician_id": clinician["id"],
                "client_id": client["id"],
                "scheduled_start": start,
                "scheduled_end": end,
                "video": video or None,
            },
        )
        assert status == 201, session
        made.append(session["id"])
    return made


def run(
    stack: Stack,
    name: str,
    fault: Callable[[], None],
    *,
    bound: float,
    warmup: float = 2.0,
    after: float = 2.0,
    extra: Callable[[], list[str]] | None = None,
) -> Outcome:
    """Load, then `extra()` (work added by other means, its check-in ids), then `fault()` (which
    returns once the service is restored or the process is killed), then load again; recovery
    is from then until everything accepted so far has its verdict."""
    sessions = make_sessions(stack, 6)
    restarts_before = len(stack.restarts)
    with Load(stack, sessions) as load:
        time.sleep(warmup)
        injected = extra() if extra else []
        fault_started = time.monotonic()
        fault()
        restored = time.monotonic()
        backlog = [*load.tally.accepted.values(), *injected]
        recovered = _wait_evaluated(stack, backlog, restored + bound + 5) - restored
        time.sleep(max(0.0, after - (time.monotonic() - restored)))
    tally = load.tally
    everything = [*tally.accepted.values(), *injected]
    _wait_evaluated(stack, everything, time.monotonic() + bound)
    counts = evaluated(stack, everything)
    during = [took for sent, took in tally.accepts if fault_started <= sent <= restored]
    duplicated = sum(count - 1 for count in counts.values()) + max(
        0, stored_checkins(stack, sessions) - len(set(tally.accepted.values()))
    )
    outcome = Outcome(
        name=name,
        accepted=len(everything),
        completed=len(counts),
        lost=len(set(everything) - set(counts)),
        duplicated=duplicated,
        server_errors=len(tally.server_errors),
        unavailable=tally.unavailable,
        recovered_seconds=recovered,
        bound_seconds=bound,
        connection_errors=tally.connection_errors,
        replayed=tally.replays,
        slowest_accept_seconds=max((took for _, took in tally.accepts), default=0.0),
        accepted_during_fault=len(during),
        slowest_during_fault_seconds=max(during, default=0.0),
        restarted=", ".join(stack.restarts[restarts_before:]),
    )
    RESULTS.append(outcome)
    print(
        outcome.line(), tally.server_errors[:3], _why_not_done(stack, set(everything) - set(counts))
    )
    return outcome


def _wait_evaluated(stack: Stack, checkin_ids: list[str], deadline: float) -> float:
    """When every one of `checkin_ids` had an evaluation (or the deadline passed)."""
    while time.monotonic() < deadline:
        with contextlib.suppress(psycopg.Error):  # the database may still be on its way back
            if len(evaluated(stack, checkin_ids)) == len(set(checkin_ids)):
                break
        time.sleep(0.25)
    return time.monotonic()


def _why_not_done(stack: Stack, checkin_ids: set[str]) -> list[tuple[object, ...]]:
    """The outbox rows of check-ins without a verdict, to say where they are stuck."""
    if not checkin_ids:
        return []
    return stack.pg.query(
        "SELECT args->>0, created_at, next_attempt_at, attempts, retry_at, failures, last_error,"
        " done_at, parked_at, now() FROM outbox WHERE args->>0 = ANY(%s)",
        sorted(checkin_ids),
    )
