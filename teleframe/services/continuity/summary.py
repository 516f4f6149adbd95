"""The one-sentence summary of a session's continuity, for the clinician and the report."""

from __future__ import annotations

from datetime import datetime, timedelta

from teleframe.services.continuity.records import Continuity

AUDIO_ONLY_REASONS = {
    "client_not_capable": "the client could not use video",
    "client_declined_video": "the client did not consent to video",
    "video_failed": "the video failed",
    "clinician_decision": "the clinician decided so",
    "other": "of another reason (see the note)",
}
LATE_START = timedelta(minutes=5)
MODALITY_WORDS = {"phone": "by phone", "audio_only": "audio-only", "video": "on video"}


def late_start(first_contact_at: datetime | None, scheduled_start: datetime) -> int:
    """Whole minutes contact began after the scheduled start, when at least LATE_START."""
    if first_contact_at is None or first_contact_at - scheduled_start < LATE_START:
        return 0
    return int((first_contact_at - scheduled_start).total_seconds() // 60)


def sentence(continuity: Continuity, first_contact_at: datetime | None, late_by: int) -> str:
    if continuity.event_count == 0:
        return "No session events were recorded."
    if first_contact_at is None:
        return "The client and the clinician were never connected at the same time."
    parts = [f"started {late_by} min late"] if late_by else []
    parts.append(_interruptions(len(continuity.outages)))
    if continuity.total_outage_seconds:
        parts.append(f"{_duration(continuity.total_outage_seconds)} lost")
    if outage := continuity.open_outage:
        parts.append(f"contact lost since {_clock(outage.start_at)}")
    parts.extend(_modality_words(continuity))
    backup = continuity.backup_plan
    if backup.followed is False and backup.due_at is not None:
        parts.append(f"the backup plan was due at {_clock(backup.due_at)} and not recorded as used")
    if continuity.reschedule_suggested_at is not None:
        parts.append("rescheduling was suggested")
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


def _interruptions(count: int) -> str:
    if count == 0:
        return "no interruptions"
    return "interrupted " + {1: "once", 2: "twice"}.get(count, f"{count} times")


def _modality_words(continuity: Continuity) -> list[str]:
    segments = continuity.modality_segments
    if not segments:
        return []
    last = segments[-1]
    if last.modality != "video":
        verb = "finished" if continuity.ended_at is not None else "continuing"
        return [
            f"{verb} {MODALITY_WORDS[last.modality]} from {_clock(last.start_at)}{_because(last.reason)}"
        ]
    return [
        f"{MODALITY_WORDS[s.modality]} from {_clock(s.start_at)} to {_clock(s.end_at)}{_because(s.reason)}"
        for s in segments
        if s.modality != "video" and s.end_at is not None
    ]


def _because(reason: str | None) -> str:
    if not reason:
        return ""
    words = AUDIO_ONLY_REASONS.get(reason, reason)
    return f" {words}" if words.startswith("because") else f" because {words}"


def _duration(seconds: int) -> str:
    return f"{seconds} s" if seconds < 60 else f"{int(seconds / 60 + 0.5)} min"


def _clock(value: datetime | None) -> str:
    return value.strftime("%H:%M UTC") if value is not None else "?"
