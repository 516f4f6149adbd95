"""Reading /metrics as Prometheus does: parsed, never grepped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

UUID_LIKE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)

FAMILIES = (
    "teleframe_http_request_duration_seconds",
    "teleframe_checkin_verdict_seconds",
    "teleframe_outbox_pending",
    "teleframe_outbox_oldest_age_seconds",
    "teleframe_tasks",
    "teleframe_inbound_hooks",
    "teleframe_deliveries",
    "teleframe_parked_work",
)


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def value(parsed: Mapping[str, Any], sample: str, **labels: str) -> float:
    """The sum of the samples named `sample` whose labels include `labels` (0 when none)."""
    family = parsed.get(_family_of(sample))
    if family is None:
        return 0.0
    return sum(
        s.value
        for s in family.samples
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    )


def _family_of(sample: str) -> str:
    for suffix in ("_total", "_count", "_sum", "_bucket", "_created"):
        if sample.endswith(suffix):
            return sample[: -len(suffix)]
    return sample


def label_values(parsed: Mapping[str, Any]) -> list[str]:
    return [v for family in parsed.values() for s in family.samples for v in s.labels.values()]
