"""The `Link: <...>; rel="next"` header every list route answers with, read the way a client would."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def next_link(headers: Mapping[str, Any] | Any) -> str | None:
    """The next page's URL from a response's headers (or a response), or None on the last page;
    a Link header of any other shape counts as none, so a malformed one fails the walk."""
    headers = getattr(headers, "headers", headers)
    found = NEXT.fullmatch(headers.get("Link") or "")
    return found.group(1) if found else None
