"""Location, privacy, others present and the backup plan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.platypus import Flowable

from teleframe.services.report_pdf.tables import facts, grid, section
from teleframe.services.report_pdf.text import markup, para, when


def frame(report: Mapping[str, Any]) -> Iterable[Flowable]:
    loc = report.get("location") or {}
    billing, backup = report["billing"], report["backup_plan"]
    pos = billing.get("place_of_service")
    yield from section("Location, privacy and backup plan")
    yield facts(
        [
            ("Address", markup(loc.get("address"))),
            (
                "Locality",
                f"{markup(loc.get('locality'))}, {markup(loc.get('subdivision'))}, "
                f"{markup(loc.get('country'))}",
            ),
            ("Place type", markup(loc.get("place_type"))),
            ("Same place as last time", markup(loc.get("same_as_last_time"))),
            ("Place of service", markup(f"{pos['code']}: {pos['description']}" if pos else None)),
            ("Privacy", markup(report.get("privacy"))),
            ("Readiness", markup(report.get("readiness"))),
        ]
    )
    others = report.get("others_present")
    yield para("Others present with the client", "h3")
    if others is None:
        yield para("Not answered in the check-in.", "small")
    elif not others:
        yield para("The client reported no one else present.", "small")
    else:
        yield grid(
            ["Relationship", "Minor", "Client consents to them hearing"],
            (
                [p.get("relationship"), p.get("minor"), p.get("client_consents_to_hear")]
                for p in others
            ),
            [0.5, 0.15, 0.35],
        )
    resources = backup.get("emergency_resources") or {}
    protocol = backup.get("protocol") or {}
    yield para("Backup plan and emergency resources", "h3")
    yield facts(
        [
            ("Callback phone", markup(backup.get("callback_phone"))),
            ("Emergency contact", markup(backup.get("emergency_contact"))),
            ("Emergency number", markup(resources.get("emergency_number"))),
            ("Other services", markup(_services(resources.get("services")))),
            ("Crisis lines", markup(_crisis_lines(resources.get("crisis_lines")))),
            (
                "Unreviewed",
                markup(resources.get("message") if not resources.get("reviewed") else None),
            ),
            ("No crisis line", markup(resources.get("crisis_message"))),
            ("Resource source", markup(resources.get("source"))),
            ("Reference reviewed", markup(resources.get("reviewed_on"))),
            ("Backup plan due", when(protocol.get("due_at"))),
            ("Backup plan invoked", when(protocol.get("invoked_at"))),
            ("Protocol followed", markup(protocol.get("followed"))),
        ]
    )


def _services(services: Any) -> str | None:
    if not services:
        return None
    return "; ".join(f"{s.get('number')} {s.get('for')}" for s in services if isinstance(s, dict))


def _crisis_lines(lines: Any) -> str | None:
    if not lines:
        return None
    parts = []
    for line in lines:
        if isinstance(line, dict):
            ways = ", ".join(
                f"{k} {line[k]}" for k in ("call", "text", "chat", "hours") if line.get(k)
            )
            parts.append(f"{line.get('name')}: {ways}")
    return "; ".join(parts) or None
