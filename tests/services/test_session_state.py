"""The session state machine, driven by hypothesis through every trigger in any order."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from teleframe.services.session_state import (
    ORDER,
    TRANSITIONS,
    IllegalTransition,
    SessionState,
    Trigger,
    advance,
    allowed,
)

S = SessionState


class SessionLife(RuleBasedStateMachine):
    """A model of what users see: a session only moves forward, check-ins close when it ends,
    it ends only after it started, and it is signed only once, after it ended."""

    def __init__(self) -> None:
        super().__init__()
        self.state: SessionState = S.scheduled
        self.history: list[SessionState] = [S.scheduled]
        self.started = False
        self.ended = False

    def _fire(self, trigger: Trigger) -> SessionState | None:
        try:
            move = advance(self.state, trigger)
        except IllegalTransition as error:
            assert error.state == self.state and error.trigger == trigger
            assert not allowed(self.state, trigger)
            return None
        assert move.before == self.state
        self.state = move.after
        self.history.append(move.after)
        return move.after

    @rule()
    def checkin_submitted(self) -> None:
        before = self.state
        after = self._fire(Trigger.checkin_submitted)
        if self.ended:
            assert after is None, "a check-in was accepted after the session ended"
        else:
            assert after == before, "accepting a check-in moved the session"

    @rule()
    def checkin_evaluated(self) -> None:
        before = self.state
        after = self._fire(Trigger.checkin_evaluated)
        assert after == (S.checked_in if before == S.scheduled else before)

    @rule()
    def fold_started(self) -> None:
        before = self.state
        after = self._fire(Trigger.started)
        self.started = True
        expected = S.in_progress if before in (S.scheduled, S.checked_in) else before
        assert after == expected

    @rule()
    def fold_ended(self) -> None:
        after = self._fire(Trigger.ended)
        if not self.started:
            assert after is None, "a session ended that never started"
        else:
            assert after in (S.ended, S.report_signed)
            self.ended = True

    @rule()
    def sign(self) -> None:
        before = self.state
        after = self._fire(Trigger.signed)
        if before == S.ended:
            assert after == S.report_signed
        else:
            assert after is None, f"signed from {before}"

    @precondition(lambda self: self.state == S.report_signed)
    @rule(trigger=st.sampled_from([Trigger.started, Trigger.ended, Trigger.checkin_evaluated]))
    def late_work_keeps_a_signed_session_signed(self, trigger: Trigger) -> None:
        assert self._fire(trigger) == S.report_signed

    @invariant()
    def only_forward(self) -> None:
        ranks = [ORDER.index(state) for state in self.history]
        assert ranks == sorted(ranks)

    @invariant()
    def signed_only_after_ended(self) -> None:
        if S.report_signed in self.history:
            assert self.history.index(S.ended) < self.history.index(S.report_signed)


SessionLife.TestCase.settings = settings(max_examples=200, stateful_step_count=30)
TestSessionLife = SessionLife.TestCase


def test_every_trigger_has_a_row_and_targets_known_states() -> None:
    assert set(TRANSITIONS) == set(Trigger)
    for table in TRANSITIONS.values():
        for before, after in table.items():
            assert ORDER.index(after) >= ORDER.index(before)


@pytest.mark.parametrize("state", [S.scheduled, S.checked_in, S.in_progress, S.report_signed])
def test_signing_needs_an_ended_session(state: SessionState) -> None:
    with pytest.raises(IllegalTransition):
        advance(state, Trigger.signed)
