"""One production stack for the production fault suite (starting it takes seconds), stopped
when the suite is done so the rest of the run has the machine back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.faults.production.scenario import RESULTS
from tests.faults.production.stack import Stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory, encryption_key: str) -> Iterator[Stack]:
    """`encryption_key`: the session's, so a scenario's app of its own (built from the
    stack's environment) reads what the shared fixtures wrote."""
    try:
        made = Stack(Path(tmp_path_factory.mktemp("faults")), encryption_key)
    except RuntimeError as error:
        service_missing(f"private PostgreSQL for the fault suite: {error}")
    try:
        made.start()
        yield made
    finally:
        made.stop()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if RESULTS:
        terminalreporter.section("production faults")
        for outcome in RESULTS:
            terminalreporter.write_line(outcome.line())
