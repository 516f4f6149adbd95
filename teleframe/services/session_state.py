"""The session's state machine: every move of `sessions.state` goes through `advance`.

    scheduled -> checked_in -> in_progress -> ended -> report_signed

Each trigger names what happened; the table says, for each state, where that trigger takes the
session. A trigger with no entry for the current state is illegal and raises. Self-transitions
are listed where the code meets them for real: a second check-in, a re-fold of a session that
already started or ended, a check-in evaluated after the session moved on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class SessionState(enum.StrEnum):
    scheduled = "scheduled"
    checked_in = "checked_in"
    in_progress = "in_progress"
    ended = "ended"
    report_signed = "report_signed"


class Trigger(enum.StrEnum):
    checkin_submitted = "checkin_submitted"  # a client's answers are accepted
    checkin_evaluated = "checkin_evaluated"  # the latest check-in has its verdict
    started = "started"  # the continuity fold shows the session began
    ended = "ended"  # the settled fold shows it ended
    signed = "signed"  # the clinician signed the report


S, T = SessionState, Trigger
TRANSITIONS: dict[Trigger, dict[SessionState, SessionState]] = {
    # check-ins close when the session ends
    T.checkin_submitted: {S.scheduled: S.scheduled, S.checked_in: S.checked_in,
                          S.in_progress: S.in_progress},
    # a verdict moves only a scheduled session; one that arrives later changes no state
    T.checkin_evaluated: {S.scheduled: S.checked_in, S.checked_in: S.checked_in,
                          S.in_progress: S.in_progress, S.ended: S.ended,
                          S.report_signed: S.report_signed},
    # every re-fold says "started" again: later states keep their place
    T.started: {S.scheduled: S.in_progress, S.checked_in: S.in_progress,
                S.in_progress: S.in_progress, S.ended: S.ended,
                S.report_signed: S.report_signed},
    T.ended: {S.in_progress: S.ended, S.ended: S.ended, S.report_signed: S.report_signed},
    # a report is signed once, after the session ended
    T.signed: {S.ended: S.report_signed},
}  # fmt: skip
ORDER = tuple(SessionState)


class IllegalTransition(Exception):
    """The trigger cannot happen in the session's current state."""

    def __init__(self, state: SessionState, trigger: Trigger) -> None:
        super().__init__(f"{trigger.value} is not allowed when the session is {state.value}")
        self.state = state
        self.trigger = trigger


@dataclass(frozen=True)
class Move:
    before: SessionState
    after: SessionState

    @property
    def changed(self) -> bool:
        return self.before != self.after


def allowed(state: str, trigger: Trigger) -> bool:
    return SessionState(state) in TRANSITIONS[trigger]


def advance(state: str, trigger: Trigger) -> Move:
    """Where `trigger` takes a session in `state`; raises IllegalTransition if nowhere."""
    before = SessionState(state)
    after = TRANSITIONS[trigger].get(before)
    if after is None:
        raise IllegalTransition(before, trigger)
    return Move(before, after)


def states_allowing(trigger: Trigger) -> frozenset[SessionState]:
    return frozenset(TRANSITIONS[trigger])
