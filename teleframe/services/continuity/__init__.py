"""The continuity fold: a session's platform events in, its disruption record out.

Pure and order-free: events are deduplicated on `dedupe_key` and walked in occurrence order, so
the same set of events gives the same record however and however often they arrived.
"""

from teleframe.services.continuity.fold import KIND_ORDER, fold
from teleframe.services.continuity.protocol import Protocol, due_actions
from teleframe.services.continuity.records import (
    BackupPlan,
    Billing,
    Continuity,
    ModalitySegment,
    Outage,
)
from teleframe.services.continuity.summary import AUDIO_ONLY_REASONS, LATE_START, MODALITY_WORDS
from teleframe.services.continuity.walk import INTENTIONAL

__all__ = [
    "AUDIO_ONLY_REASONS",
    "INTENTIONAL",
    "KIND_ORDER",
    "LATE_START",
    "MODALITY_WORDS",
    "BackupPlan",
    "Billing",
    "Continuity",
    "ModalitySegment",
    "Outage",
    "Protocol",
    "due_actions",
    "fold",
]
