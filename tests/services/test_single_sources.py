"""Facts written once: each place that needs them reads the one source, so they cannot drift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml

from teleframe.api.integrations.schemas import IntegrationCreateSchema
from teleframe.api.sessions.schemas import PLACE_TYPES as CHECKIN_PLACE_TYPES
from teleframe.api.sessions.schemas import PROVIDERS as SESSION_PROVIDERS
from teleframe.services.continuity.protocol import Protocol
from teleframe.services.moments import rfc3339
from teleframe.services.policy import PLACE_TYPES, parse_policy
from teleframe.services.providers import PROVIDERS

DEFAULT_POLICY = Path(__file__).parents[2] / "config" / "policy" / "default.yaml"


def test_the_shipped_policy_states_the_protocols_own_disruption_defaults() -> None:
    shipped = yaml.safe_load(DEFAULT_POLICY.read_text())
    assert Protocol.from_policy(shipped) == Protocol()


def test_a_policy_without_disruption_timing_gets_the_protocols_defaults() -> None:
    shipped = yaml.safe_load(DEFAULT_POLICY.read_text())
    del shipped["disruption"]
    parsed = parse_policy(yaml.safe_dump(shipped))
    assert Protocol.from_policy(parsed) == Protocol()


def test_api_vocabularies_are_the_cores() -> None:
    assert CHECKIN_PLACE_TYPES == PLACE_TYPES
    assert set(SESSION_PROVIDERS) == set(PROVIDERS)
    field = IntegrationCreateSchema().fields["provider"]
    assert set(field.validate.choices) == set(PROVIDERS)  # type: ignore[union-attr]


def test_moments_are_written_in_utc_with_z() -> None:
    pacific = timezone(timedelta(hours=-8))
    assert rfc3339(datetime(2026, 12, 1, 9, 30, tzinfo=pacific)) == "2026-12-01T17:30:00Z"
    assert rfc3339(datetime(2026, 12, 1, 17, 30, 0, 5, tzinfo=UTC)) == "2026-12-01T17:30:00.000005Z"


def test_every_task_name_has_a_queue() -> None:
    from teleframe import tasks

    names = {
        value
        for key, value in vars(tasks).items()
        if key.isupper()
        and isinstance(value, str)
        and value.startswith("teleframe.")
        and value.count(".") == 1
        and key not in ("EVALUATION", "INGEST", "DELIVERY", "REPORTS", "MAINTENANCE")
    }
    assert names == set(tasks.KIND_OF)
