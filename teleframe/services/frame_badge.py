"""The one-word state of a session's frame that the dashboard's Today list shows."""

from __future__ import annotations

from dataclasses import dataclass

LABELS = {
    "not_checked_in": "not checked in",
    "checking": "checking",
    "clear": "clear",
    "attention": "attention",
    "blocked": "blocked",
    "in_progress": "in progress",
    "disrupted": "disrupted",
    "ended": "ended",
    "report_ready": "report ready",
    "signed": "signed",
}


@dataclass(frozen=True)
class Badge:
    key: str

    @property
    def label(self) -> str:
        return LABELS[self.key]


def badge(
    *,
    state: str,
    frame_status: str | None,
    checkin_pending: bool,
    outage_open: bool,
    has_report: bool,
) -> Badge:
    """Later states win: a signed report says more than the check-in that preceded it."""
    if state == "report_signed":
        return Badge("signed")
    if state == "ended":
        return Badge("report_ready" if has_report else "ended")
    if state == "in_progress":
        return Badge("disrupted" if outage_open else "in_progress")
    if checkin_pending:
        return Badge("checking")
    if frame_status in ("clear", "attention", "blocked"):
        return Badge(frame_status)
    return Badge("not_checked_in")
