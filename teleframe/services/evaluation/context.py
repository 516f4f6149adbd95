"""Everything one rule check sees, built once per evaluation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..policy import CompiledPolicy
from ..reference import ReferenceData
from .facts import ClinicianFacts, SessionFacts
from .findings import Finding


@dataclass(frozen=True)
class Context:
    checkin: dict[str, Any]
    session: SessionFacts
    clinician: ClinicianFacts
    policy: CompiledPolicy
    reference: ReferenceData
    submitted_at: datetime
    country: str | None
    subdivision: str | None
    facts: dict[str, Any]  # recorded on the result; checks may add to it


Rule = Callable[[Context], Iterator[Finding]]
