from __future__ import annotations

import time
from typing import Any

import pytest

from tests.services.providers import signing


class HookClient:
    """Posts webhooks to teleframe signed exactly as each platform signs them."""

    def __init__(self, practice: Any, provider: str, secret: str) -> None:
        self.practice = practice
        response = practice.post("/v1/integrations", {"provider": provider, "secret": secret})
        assert response.status_code == 201, response.get_json()
        self.integration = response.get_json()
        self.path = f"/hooks/{provider}/{self.integration['id']}"
        self.url = "http://localhost" + self.path

    def send(self, signed: Any):  # type: ignore[no-untyped-def]
        return self.practice.http.post(self.path, data=signed.body, headers=dict(signed.headers))


@pytest.fixture
def zoom_hook(make_practice):  # type: ignore[no-untyped-def]
    practice = make_practice()
    hook = HookClient(practice, "zoom", signing.ZOOM_SECRET)

    def sign(body: bytes, **kwargs: Any):  # type: ignore[no-untyped-def]
        return signing.zoom(body, timestamp=kwargs.pop("timestamp", int(time.time())), **kwargs)

    hook.sign = sign  # type: ignore[attr-defined]
    return hook
