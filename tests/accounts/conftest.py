import pytest

from tests.accounts.people import Clock


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr("teleframe.accounts.clock.now", made.now)
    return made
