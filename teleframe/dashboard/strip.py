"""The continuity timeline as bands for an inline SVG strip: connected, dropped, phone, audio."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

WIDTH = 1000
KIND_LABELS = {"video": "connected", "audio_only": "audio only", "phone": "phone"}


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def continuity_strip(report: Mapping[str, Any]) -> dict[str, Any] | None:
    """Bands with x and width in a 0..1000 box, and their words; None before the session."""
    session = report.get("session") or {}
    start, end = _at(session.get("actual_start")), _at(session.get("actual_end"))
    if start is None:
        return None
    spans: list[tuple[str, datetime, datetime | None]] = [
        (
            KIND_LABELS.get(seg.get("modality") or "", "connected"),
            _at(seg["start_at"]),
            _at(seg.get("end_at")),
        )  # type: ignore[misc]
        for seg in session.get("modality_segments") or ()
        if seg.get("start_at")
    ]
    spans += [
        ("dropped", _at(o["start_at"]), _at(o.get("end_at")))  # type: ignore[misc]
        for o in (report.get("continuity") or {}).get("outages") or ()
        if o.get("start_at")
    ]
    last = end or max([s for _, s, _ in spans] + [e for _, _, e in spans if e] + [start])
    total = max((last - start).total_seconds(), 1.0)
    bands = []
    for kind, begin, finish in sorted(spans, key=lambda span: span[1]):
        finish = finish or last
        x = WIDTH * (begin - start).total_seconds() / total
        width = max(WIDTH * (finish - begin).total_seconds() / total, 2)
        bands.append(
            {
                "kind": kind,
                "css": kind.replace(" ", "-"),
                "x": round(x, 1),
                "width": round(width, 1),
                "from": f"{begin:%H:%M:%S}",
                "to": f"{finish:%H:%M:%S}",
            }
        )
    return {"bands": bands, "start": f"{start:%H:%M}", "end": f"{last:%H:%M}", "width": WIDTH}
