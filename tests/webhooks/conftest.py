from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from tests.webhooks.receiver import Receiver

LOOPBACK = "127.0.0.1/32"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def allow_loopback(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test-only allow-list in the app's Settings: production refuses loopback like any
    private address."""
    allow_private(app, monkeypatch, LOOPBACK)


def allow_private(app: Any, monkeypatch: pytest.MonkeyPatch, cidrs: str) -> None:
    """`TELEFRAME_WEBHOOK_ALLOW_PRIVATE` as `app` reads it, for this test only."""
    own = app.config["TELEFRAME_SETTINGS"]
    allowing = dataclasses.replace(own, webhook_allow_private=cidrs)
    monkeypatch.setitem(app.config, "TELEFRAME_SETTINGS", allowing)
