"""/docs works offline: ReDoc comes from the package, and no script is loaded from elsewhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from flask.testing import FlaskClient


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.found.append((tag, value))


def test_the_docs_page_loads_only_same_origin_assets(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    parser = _Sources()
    parser.feed(page.get_data(as_text=True))
    scripts = [src for tag, src in parser.found if tag == "script"]
    assert scripts and all(src.startswith("/docs/assets/") for src in scripts), parser.found
    assert not any(re.match(r"^(https?:)?//", value) for _, value in parser.found)
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


def test_the_redoc_bundle_is_served_from_the_package(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    (src,) = re.findall(r'<script src="([^"]+)"', page)
    with client.get(src) as bundle:
        assert bundle.status_code == 200
        assert bundle.mimetype in ("text/javascript", "application/javascript")
        assert len(bundle.get_data()) > 500_000  # the whole standalone bundle, not a stub
