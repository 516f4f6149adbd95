"""Embedded mode (SQLite) has no NOTIFY: the waiting request polls, closing its session."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from teleframe.operations.verdict_wait import wait_for_verdict


def test_polling_answers_with_the_first_stored_verdict_and_frees_the_connection(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'wait.db'}")
    session = Session(engine)
    answers = iter(["pending", "pending", "clear", "blocked"])
    reads: list[bool] = []

    def read() -> dict[str, str]:
        session.connection()  # a read checks a connection out
        reads.append(session.in_transaction())
        return {"status": next(answers)}

    view = wait_for_verdict(session, read, uuid.uuid4(), 30)
    assert view == {"status": "clear"}  # the first stored verdict, not the wait's end
    assert len(reads) == 3
    assert not session.in_transaction()  # closed after each read, so not held while waiting
    assert engine.pool.checkedout() == 0
    engine.dispose()
