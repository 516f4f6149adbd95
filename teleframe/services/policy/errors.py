"""Problems with a policy document, each named by its path in the document and its line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PathKey = tuple[str | int, ...]


class PolicyError(ValueError):
    """A policy document that cannot be used; `.errors` name the path and line of each problem."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        summary = "; ".join(
            f"{e['path'] or '(document)'}"
            + (f" (line {e['line']})" if e["line"] else "")
            + f": {e['message']}"
            for e in errors
        )
        super().__init__(f"invalid policy: {summary}")


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problem(path: PathKey, message: str, line: int | None = None) -> dict[str, Any]:
    """One entry of `PolicyError.errors`."""
    return {"path": format_path(path), "line": line, "message": message}


def line_for(path: PathKey, lines: dict[PathKey, int]) -> int | None:
    """The line of the nearest enclosing node that the document spells out."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def flatten(messages: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    """marshmallow's nested error messages as (path, message) pairs.

    Errors on a mapping's keys or values (`reference_overrides.emergency`, `.compacts`) are
    reported against the entry itself, not a `key`/`value` child the document does not have.
    """
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema" or (
                key in ("key", "value") and path[-2:-1] in (("emergency",), ("compacts",))
            ):
                yield from flatten(value, path)
            else:
                yield from flatten(value, (*path, key))
    elif isinstance(messages, list):
        for item in messages:
            yield from flatten(item, path)
    else:
        yield path, str(messages)
