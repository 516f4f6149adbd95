"""Report values as safe paragraph markup, and the formats for times and durations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph

from teleframe.services.report_pdf.styles import styles

MAX_CELL_CHARS = 600
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def markup(value: Any, limit: int = MAX_CELL_CHARS) -> str:
    """Report data as safe paragraph markup: escaped, control characters dropped, bounded."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        value = "; ".join(
            f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items() if v is not None
        )
    text = _CONTROL.sub("", str(value))
    if len(text) > limit:
        text = text[:limit] + " … (shortened here; full text in the JSON report)"
    return escape(text).replace("\n", "<br/>")


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def when(value: Any) -> str:
    if not isinstance(value, str):
        return markup(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return markup(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def para(markup: str, style: str = "body") -> Paragraph:
    return Paragraph(markup, styles()[style])


def cell(value: Any, style: str = "cell") -> Paragraph:
    return para(markup(value), style)


def offset(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return ""
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    return f"{sign}{whole // 60:d}:{whole % 60:02d}"


def seconds(value: Any) -> str:
    return "not recorded" if value is None else f"{value:g} s"


def minutes(value: Any) -> str:
    return "not recorded" if value is None else f"{value:g} min"
