"""Continuity: outages, billing modifier and the event timeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.platypus import Flowable

from teleframe.services.report_pdf.tables import facts, grid, section
from teleframe.services.report_pdf.text import markup, offset, para, seconds, when

MAX_TIMELINE_ROWS = 400


def continuity(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from section("Continuity")
    continuity, billing = report.get("continuity"), report["billing"]
    if continuity is None:
        yield para("No continuity record yet.")
    else:
        yield facts(
            [
                ("Summary", markup(continuity.get("summary"))),
                ("Drops", markup(continuity.get("drops"))),
                ("Total outage", seconds(continuity.get("total_outage_seconds"))),
                ("Longest outage", seconds(continuity.get("longest_outage_seconds"))),
                ("Billing modifier", markup(billing.get("modifier"))),
                ("Audio-only reason", markup(billing.get("audio_only_reason"))),
                ("Events after signature", markup(continuity.get("events_after_signature"))),
            ]
        )
        outages = continuity.get("outages") or []
        if outages:
            yield para("Outages", "h3")
            yield grid(
                ["From", "To", "Seconds", "Reason"],
                (
                    [
                        when(o.get("start_at")),
                        when(o.get("end_at")),
                        o.get("seconds"),
                        o.get("reason"),
                    ]
                    for o in outages
                    if o
                ),
                [0.3, 0.3, 0.15, 0.25],
            )
    yield from _timeline(report["timeline"])


def _timeline(timeline: Mapping[str, Any]) -> Iterable[Flowable]:
    events = timeline.get("events") or []
    yield para(f"Event timeline ({len(events)} events)", "h3")
    if not events:
        yield para("No platform events recorded.", "small")
        return
    shown = events[:MAX_TIMELINE_ROWS]
    yield grid(
        ["Offset", "Time", "Event", "Who", "Detail"],
        (
            [
                offset(e.get("offset_seconds")),
                when(e.get("at")),
                e.get("kind"),
                e.get("role") or "",
                " ".join(
                    str(v) for v in (e.get("reason"), e.get("modality"), e.get("provider")) if v
                ),
            ]
            for e in shown
        ),
        [0.1, 0.25, 0.25, 0.14, 0.26],
    )
    if len(events) > len(shown):
        yield para(
            f"{len(events) - len(shown)} further events are not printed here; they are in the "
            "JSON and FHIR exports of this report.",
            "small",
        )
