"""Text a policy may hold: no NUL, no other control characters but tab and line breaks, and no
lone surrogates (which YAML and JSON escapes such as `\\0` or `\\ud800` can produce). Neither
PostgreSQL nor a client's screen can take them."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from .errors import PathKey

_ALLOWED_CONTROLS = frozenset("\t\n\r")
PROBLEM = "Text must not contain NUL, other control characters or lone surrogates."


def unusable(text: str) -> bool:
    return any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in _ALLOWED_CONTROLS
        for char in text
    )


def unusable_text(data: Any, path: PathKey = ()) -> Iterator[PathKey]:
    """The path of every string (key or value) in a parsed document that holds unusable text;
    a bad key is reported at its mapping, since the key cannot be named safely."""
    if isinstance(data, str):
        if unusable(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and unusable(key):
                yield path
            else:
                yield from unusable_text(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from unusable_text(item, (*path, index))
