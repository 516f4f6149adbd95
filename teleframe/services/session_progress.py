"""What a fold of a session's events decides: its state, the record it keeps, what it emits.

Platforms deliver a session's webhooks in any order, and a fold of some of them can show
outages that all of them do not. So the record is kept, the session moved to `ended` and the
outbound events derived only from a *settled* fold: one made after the session's events have
been quiet for `SETTLE`. Arrivals fold at once (a session shows `in_progress` as soon as it
starts) and push the settle time on; the beat sweep settles the session when it comes. Within
that window, any arrival order gives the same record and the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from teleframe.services import session_state as machine
from teleframe.services.continuity import Continuity, Protocol
from teleframe.services.outbound import Outbound, continuity_events
from teleframe.services.session_state import Move, SessionState, Trigger

SETTLE = timedelta(seconds=5)


@dataclass(frozen=True)
class Progress:
    state: SessionState
    record: Continuity | None  # the settled record to keep
    settle_at: datetime | None  # when to settle; None when settled
    outage_open_since: datetime | None
    emit: tuple[Outbound, ...] = ()
    ended: bool = False  # the session moved to ended now: its report draft is due

    @property
    def settled(self) -> bool:
        return self.settle_at is None


def progress(
    state: str,
    previous: Continuity | None,
    current: Continuity,
    protocol: Protocol,
    *,
    now: datetime,
    settle_at: datetime | None,
    arrived: bool,
    outage_open_since: datetime | None = None,
) -> Progress:
    """`previous` is the settled record kept so far, `current` the fold of every event now.

    `arrived`: new events came with this fold, so wait `SETTLE` before settling.
    """
    started = _started(state, current)
    if arrived or (settle_at is not None and now < settle_at):
        wait_until = now + SETTLE if arrived else settle_at
        return Progress(started.after, previous, wait_until, outage_open_since)
    move = started
    if current.ended_at is not None and current.started_at is not None:
        move = Move(started.before, machine.advance(started.after, Trigger.ended).after)
    open_outage = current.open_outage if current.ended_at is None else None
    return Progress(
        state=move.after,
        record=current,
        settle_at=None,
        outage_open_since=open_outage.start_at if open_outage else None,
        emit=tuple(continuity_events(previous, current, protocol, move, now=now)),
        ended=move.changed and move.after == SessionState.ended,
    )


def _started(state: str, current: Continuity) -> Move:
    if current.started_at is None:  # nothing says it began: no move
        return Move(SessionState(state), SessionState(state))
    return machine.advance(state, Trigger.started)
