"""Browser tests' shared parts: Debian's chromium through Playwright (no downloads), the
session's app served on a free port, and axe-core. Loaded by tests/conftest.py."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright, one for the whole run: Playwright's sync API
    cannot be started twice in one thread, and the client page and the dashboard both need it."""
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The session's app on a free loopback port, as a browser reaches it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def serious_violations(axe: Any, page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page, as 'rule: target' lines."""
    results = axe.run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
