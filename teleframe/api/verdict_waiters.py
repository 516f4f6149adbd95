"""How many requests of one API process may hold a thread waiting for a verdict
(`Prefer: wait`). A waiter holds its server thread for up to 30 s: without a bound, as many
waiters as the process has threads (8 under `teleframe serve`, 4 per gunicorn worker) stall
every other request, /healthz included. Past the bound the preference is not applied
(RFC 7240 lets a server ignore it): the verdict is answered at once, without
`Preference-Applied`, and the caller polls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

_KEY = "teleframe.verdict_waiters"
_made = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    extensions = current_app.extensions
    with _made:
        if _KEY not in extensions:
            limit = current_app.config["TELEFRAME_SETTINGS"].verdict_waiters
            extensions[_KEY] = threading.BoundedSemaphore(max(0, limit))  # 0: never wait
        slots: threading.BoundedSemaphore = extensions[_KEY]
        return slots


@contextmanager
def slot() -> Iterator[bool]:
    """True while this request holds one of the process's waiting slots; False (at once)
    when every slot is taken."""
    slots = _slots()
    taken = slots.acquire(blocking=False)
    try:
        yield taken
    finally:
        if taken:
            slots.release()
