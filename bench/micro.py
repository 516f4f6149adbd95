"""In-process CPU figures from bench/policy_eval.py and bench/report_build.py, when present."""

from __future__ import annotations

import importlib
from typing import Any


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        return str(error)


def policy_eval(n: int = 4000) -> dict[str, Any]:
    """Microseconds per check-in for the pure evaluation, default policy."""
    module = _module("bench.policy_eval")
    if isinstance(module, str) or not hasattr(module, "run"):
        return {"skipped": f"bench/policy_eval.py has no run(): {module}"}
    from teleframe.services.policy import default_policy_text

    result: dict[str, Any] = module.run(default_policy_text(), module.checkins(500), n)
    return result


def report_build(sizes: tuple[int, ...] = (100, 1_000, 10_000), repeat: int = 5) -> dict[str, Any]:
    """Milliseconds to build (and hash) a report by session size."""
    module = _module("bench.report_build")
    if isinstance(module, str) or not hasattr(module, "measure"):
        return {"skipped": f"bench/report_build.py has no measure(): {module}"}
    module.build_report(module.report_input(10))  # warm imports and caches
    rows = {str(n): module.measure(n, repeat, False) for n in sizes}
    return {"by_events": rows}
