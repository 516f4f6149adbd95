"""Structured logs: one JSON object per line (or console lines for a person at a terminal).

structlog, wired into the standard library's logging, so teleframe's own `logging` calls,
Celery's, gunicorn's and SQLAlchemy's all go through the same processors: context (request
id, practice id, task name and id), level, a UTC timestamp, and a redaction step that masks
any key known to carry PHI or a secret, at any depth, before anything is rendered.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

FORMATS = ("json", "console")
REDACTED = "[redacted]"

# a key is sensitive if it contains one of these ...
_SECRET_PARTS = (
    "phone",
    "email",
    "secret",
    "token",
    "password",
    "authoriz",
    "signature",
    "cookie",
    "credential",
    "api_key",
    "apikey",
    "address",
)
# ... or one of its words (split on anything but letters and digits) is one of these
_SECRET_WORDS = frozenset(
    {
        "answer",
        "answers",
        "note",
        "notes",
        "name",
        "names",
        "body",
        "payload",
        "data",
        "identity",
        "birth",
        "dob",
        "locality",
        "location",
        "text",
        "key",
    }
)
# keys the processors and the code themselves set, which only look sensitive
_SAFE_KEYS = frozenset(
    {
        "event",
        "level",
        "logger",
        "timestamp",
        "task_name",
        "task_id",
        "request_id",
        "practice_id",
        "route",
        "status",
        "method",
        "duration_ms",
        "exception",
        "exc_info",
        "stack_info",
    }
)
_WORDS = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=4096)  # the same few keys come back on every line
def sensitive(key: str) -> bool:
    if key in _SAFE_KEYS:
        return False
    lowered = _CAMEL.sub("_", key).lower()
    if any(part in lowered for part in _SECRET_PARTS):
        return True
    return any(word in _SECRET_WORDS for word in _WORDS.split(lowered))


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: REDACTED if sensitive(str(key)) else _scrub(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def redact(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Masks the values of sensitive keys anywhere in the event (free text in a message is
    not parsed: teleframe's messages carry ids and codes only)."""
    scrubbed: EventDict = _scrub(event_dict)
    return scrubbed


def _flask_context(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The authenticated practice, once the request's key has been checked."""
    from flask import g, has_request_context

    if has_request_context():
        practice_id = g.get("practice_id")
        if practice_id is not None:
            event_dict.setdefault("practice_id", str(practice_id))
    return event_dict


def _shared() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        _flask_context,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]


def _renderer(fmt: str) -> list[Processor]:
    if fmt == "console":
        return [structlog.dev.ConsoleRenderer(colors=False)]
    return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]


class _StderrFile:
    """`sys.stderr` as it is at each write (daemons and test runners swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Stderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (daemons and test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class _Ours(logging.Filter):
    """Marks the handler this module installed, so configuring again replaces it."""


def configure(fmt: str = "json", level: int | str = logging.INFO) -> None:
    """teleframe's structlog loggers render and write directly (a request's line costs no
    LogRecord); every standard-library logger goes through the same processors by way of
    the root handler. Idempotent: configuring again replaces both."""
    if fmt not in FORMATS:
        raise RuntimeError(f"TELEFRAME_LOG_FORMAT must be one of {', '.join(FORMATS)}")
    number = level if isinstance(level, int) else logging.getLevelNamesMapping()[level.upper()]
    shared = _shared()
    structlog.configure(
        processors=[*shared, *_renderer(fmt)],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=structlog.WriteLoggerFactory(file=_StderrFile()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,  # a worker configures again with Celery's level
    )
    handler = _Stderr()
    handler.addFilter(_Ours())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.ExtraAdder(),
                structlog.stdlib.add_logger_name,
                *shared,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_renderer(fmt),
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if any(isinstance(f, _Ours) for f in h.filters)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(number)


class Logger:
    """A structlog logger that names itself in each line, as standard-library loggers do."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _log(self, level: str, event: str, **values: Any) -> None:
        getattr(structlog.get_logger(), level)(event, logger=self.name, **values)

    def info(self, event: str, **values: Any) -> None:
        self._log("info", event, **values)

    def warning(self, event: str, **values: Any) -> None:
        self._log("warning", event, **values)


def get(name: str) -> Logger:
    return Logger(name)
