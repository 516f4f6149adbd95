"""The frame report as a readable clinical PDF (reportlab platypus).

Every piece of report text goes through `_text`, which escapes reportlab's paragraph markup, so a
client's `<b>` or `<script>` prints literally.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from teleframe.services.report_chain import sha256_digest

MAX_TIMELINE_ROWS = 400
MAX_CELL_CHARS = 600
WIDTH = LETTER[0] - 1.5 * inch
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("Vera.ttf", "VeraBd.ttf"),  # shipped inside reportlab, always present
)
VERDICT_COLOURS = {
    "clear": colors.HexColor("#d9f2d9"),
    "attention": colors.HexColor("#fff1c2"),
    "blocked": colors.HexColor("#f8d0d0"),
}
STATUS_COLOURS = {
    "captured": colors.HexColor("#d9f2d9"),
    "not_applicable": colors.HexColor("#eeeeee"),
    "pending_attestation": colors.HexColor("#dde8f8"),
    "partial": colors.HexColor("#fff1c2"),
    "missing": colors.HexColor("#f8d0d0"),
}
STATUS_WORDS = {
    "captured": "captured",
    "not_applicable": "not applicable",
    "pending_attestation": "on signing",
    "partial": "partial",
    "missing": "MISSING",
}


def render_pdf(report: Mapping[str, Any]) -> bytes:
    """A clinical document for the record or an auditor; same report, same bytes."""
    buffer = io.BytesIO()
    session_id = str(report["session"].get("id"))
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title="Telehealth session frame report",
        subject=f"Session {session_id}",
        creator="teleframe",
        invariant=True,
    )

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(colors.grey)
        text = f"teleframe frame report · session {session_id} · page {document.page}"
        canvas.drawString(0.75 * inch, 0.45 * inch, text)
        canvas.restoreState()

    doc.build(list(_story(report)), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# -- fonts, styles and text --------------------------------------------------------------------


@cache
def _fonts() -> tuple[str, str]:
    """A Unicode TrueType family (names in any Latin script print and extract as text)."""
    for regular, bold in _FONT_CANDIDATES:
        try:
            pdfmetrics.registerFont(TTFont("TFSans", regular))
            pdfmetrics.registerFont(TTFont("TFSans-Bold", bold))
        except Exception:  # noqa: S112 - try the next candidate; Vera is always there
            continue
        pdfmetrics.registerFontFamily("TFSans", normal="TFSans", bold="TFSans-Bold")
        return "TFSans", "TFSans-Bold"
    return "Helvetica", "Helvetica-Bold"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11.5, alignment=TA_LEFT)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=base, fontName=bold, fontSize=8, leading=10
        ),
        "mono": ParagraphStyle(
            "mono", parent=base, fontName="Courier", fontSize=7.5, leading=9.5, wordWrap="CJK"
        ),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=16, leading=20),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9.5, textColor=colors.grey),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=bold, fontSize=9.5, leading=12, spaceBefore=6, spaceAfter=2
        ),
        "verdict": ParagraphStyle("verdict", parent=base, fontName=bold, fontSize=11, leading=14),
    }


def _text(value: Any, limit: int = MAX_CELL_CHARS) -> str:
    """Report data as safe paragraph markup: escaped, control characters dropped, bounded."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        value = "; ".join(
            f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items() if v is not None
        )
    text = _CONTROL.sub("", str(value))
    if len(text) > limit:
        text = text[:limit] + " … (shortened here; full text in the JSON report)"
    return escape(text).replace("\n", "<br/>")


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _when(value: Any) -> str:
    if not isinstance(value, str):
        return _text(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _text(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _p(markup: str, style: str = "body") -> Paragraph:
    return Paragraph(markup, _styles()[style])


def _cell(value: Any, style: str = "cell") -> Paragraph:
    return _p(_text(value), style)


def _offset(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return ""
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    return f"{sign}{whole // 60:d}:{whole % 60:02d}"


def _seconds(value: Any) -> str:
    return "not recorded" if value is None else f"{value:g} s"


def _minutes(value: Any) -> str:
    return "not recorded" if value is None else f"{value:g} min"


# -- tables ------------------------------------------------------------------------------------


def _grid(
    header: Sequence[str],
    rows: Iterable[Sequence[Paragraph | str]],
    widths: Sequence[float],
    row_colours: Sequence[Any] = (),
) -> Table:
    body = [[_p(escape(h), "cell_bold") for h in header]]
    body.extend([c if isinstance(c, Flowable) else _cell(c) for c in row] for row in rows)
    table = Table(body, colWidths=[w * WIDTH for w in widths], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9ef")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8bec9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style.extend(
        ("BACKGROUND", (0, i + 1), (-1, i + 1), colour)
        for i, colour in enumerate(row_colours)
        if colour is not None
    )
    table.setStyle(TableStyle(style))
    return table


def _facts(pairs: Iterable[tuple[str, str]]) -> Table:
    """A two-column label/value table; values are already safe markup."""
    rows = [[_p(escape(label), "cell_bold"), _p(value, "cell")] for label, value in pairs]
    table = Table(rows, colWidths=[0.3 * WIDTH, 0.7 * WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#dde1e8")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _hash_row(label: str, value: Any) -> Table:
    """Hashes in a monospaced full-width row, so they print (and extract) on one line."""
    table = Table(
        [[_p(escape(label), "cell_bold"), _p(_text(value), "mono")]],
        colWidths=[0.3 * WIDTH, 0.7 * WIDTH],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _section(title: str) -> list[Flowable]:
    return [CondPageBreak(1.2 * inch), _p(escape(title), "h2")]


# -- story -------------------------------------------------------------------------------------


def _story(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from _header(report)
    yield from _session(report)
    yield from _evaluation(report)
    yield from _frame(report)
    yield from _continuity(report)
    yield from _completeness(report)
    yield from _addenda(report)
    yield from _signature(report)


def _header(report: Mapping[str, Any]) -> Iterable[Flowable]:
    attestation = report["attestation"]
    if attestation["signed"]:
        signer = attestation["signed_by"] or {}
        state = f"Signed by {_text(signer.get('name'))} on {_when(attestation['signed_at'])}"
    else:
        state = "DRAFT: not signed"
    yield _p("Telehealth session frame report", "title")
    yield _p(f"{state} · generated {_when(report.get('generated_at'))}", "subtitle")
    yield Spacer(1, 6)


def _session(report: Mapping[str, Any]) -> Iterable[Flowable]:
    session, client, clinician = report["session"], report["client"], report["clinician"]
    video = session.get("video") or {}
    licences = "; ".join(
        _text(
            f"{lic.get('kind')} {lic.get('number')} ({lic.get('jurisdiction')}, "
            f"expires {lic.get('expires_on')})"
        )
        for lic in clinician.get("licenses") or ()
        if lic
    )
    yield from _section("Session")
    yield _facts(
        [
            (
                "Client",
                f"{_text(client.get('display_name'))} (date of birth "
                f"{_text(client.get('date_of_birth'))}{', minor' if client.get('minor') else ''})",
            ),
            ("Clinician", _text(clinician.get("name"))),
            ("Licences", licences or "not recorded"),
            ("Compacts", _text(", ".join(clinician.get("compacts") or ()) or None)),
            (
                "Session",
                f"{_text(session.get('id'))} · status {_text(session.get('status'))} · "
                f"reference {_text(session.get('external_ref'))}",
            ),
            (
                "Video room",
                _text(f"{video.get('provider')} {video.get('room_id')}" if video else None),
            ),
            (
                "Scheduled",
                f"{_when(session.get('scheduled_start'))} to "
                f"{_when(session.get('scheduled_end'))} ({_minutes(session.get('scheduled_minutes'))})",
            ),
            (
                "Actual",
                f"{_when(session.get('actual_start'))} to {_when(session.get('actual_end'))} "
                f"({_minutes(session.get('actual_minutes'))})",
            ),
            ("Effective contact", _minutes(session.get("effective_contact_minutes"))),
        ]
    )
    segments = session.get("modality_segments") or []
    yield _p("Modality segments", "h3")
    if not segments:
        yield _p("No modality segments recorded.", "small")
        return
    yield _grid(
        ["Modality", "From", "To", "Minutes", "Reason"],
        (
            [
                s.get("modality"),
                _when(s.get("start_at")),
                _when(s.get("end_at")),
                _minutes(s.get("minutes")),
                s.get("reason") or "",
            ]
            for s in segments
        ),
        [0.16, 0.24, 0.24, 0.12, 0.24],
    )


def _evaluation(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from _section("Pre-session check")
    evaluation, checkin = report.get("evaluation"), report.get("checkin")
    if checkin is None:
        yield _p("No check-in was submitted for this session.")
    if evaluation is None:
        yield _p("The check-in has not been evaluated.")
        return
    status = str(evaluation.get("status"))
    verdict = Table([[_p(f"Verdict: {_text(status.upper())}", "verdict")]], colWidths=[WIDTH])
    verdict.setStyle(
        TableStyle([("BACKGROUND", (0, 0), (-1, -1), VERDICT_COLOURS.get(status, colors.white))])
    )
    yield verdict
    yield Spacer(1, 4)
    yield _facts(
        [
            ("Check-in submitted", _when((checkin or {}).get("submitted_at"))),
            ("Evaluated", _when(evaluation.get("evaluated_at"))),
            ("Client jurisdiction", _text(evaluation.get("jurisdiction"))),
            ("Covered by", _text(evaluation.get("covered_by"))),
        ]
    )
    yield _hash_row("Policy version", evaluation.get("policy_hash"))
    findings = evaluation.get("findings") or []
    yield _p("Findings", "h3")
    if not findings:
        yield _p("No findings.", "small")
        return
    yield _grid(
        ["Severity", "Code", "Field", "For the clinician", "Rule"],
        (
            [
                f.get("severity"),
                f.get("code"),
                f.get("field"),
                f.get("clinician_message") or f.get("message"),
                f.get("rule"),
            ]
            for f in findings
        ),
        [0.11, 0.22, 0.15, 0.32, 0.20],
    )


def _frame(report: Mapping[str, Any]) -> Iterable[Flowable]:
    loc = report.get("location") or {}
    billing, backup = report["billing"], report["backup_plan"]
    pos = billing.get("place_of_service")
    yield from _section("Location, privacy and backup plan")
    yield _facts(
        [
            ("Address", _text(loc.get("address"))),
            (
                "Locality",
                f"{_text(loc.get('locality'))}, {_text(loc.get('subdivision'))}, "
                f"{_text(loc.get('country'))}",
            ),
            ("Place type", _text(loc.get("place_type"))),
            ("Same place as last time", _text(loc.get("same_as_last_time"))),
            ("Place of service", _text(f"{pos['code']}: {pos['description']}" if pos else None)),
            ("Privacy", _text(report.get("privacy"))),
            ("Readiness", _text(report.get("readiness"))),
        ]
    )
    others = report.get("others_present")
    yield _p("Others present with the client", "h3")
    if others is None:
        yield _p("Not answered in the check-in.", "small")
    elif not others:
        yield _p("The client reported no one else present.", "small")
    else:
        yield _grid(
            ["Relationship", "Minor", "Client consents to them hearing"],
            (
                [p.get("relationship"), p.get("minor"), p.get("client_consents_to_hear")]
                for p in others
            ),
            [0.5, 0.15, 0.35],
        )
    resources = backup.get("emergency_resources") or {}
    protocol = backup.get("protocol") or {}
    yield _p("Backup plan and emergency resources", "h3")
    yield _facts(
        [
            ("Callback phone", _text(backup.get("callback_phone"))),
            ("Emergency contact", _text(backup.get("emergency_contact"))),
            ("Emergency number", _text(resources.get("emergency_number"))),
            ("Crisis line", _text(resources.get("crisis_line"))),
            ("Resource source", _text(resources.get("source"))),
            ("Reference reviewed", _text(resources.get("reviewed_on"))),
            ("Backup plan due", _when(protocol.get("due_at"))),
            ("Backup plan invoked", _when(protocol.get("invoked_at"))),
            ("Protocol followed", _text(protocol.get("followed"))),
        ]
    )


def _continuity(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from _section("Continuity")
    continuity, billing = report.get("continuity"), report["billing"]
    if continuity is None:
        yield _p("No continuity record yet.")
    else:
        yield _facts(
            [
                ("Summary", _text(continuity.get("summary"))),
                ("Drops", _text(continuity.get("drops"))),
                ("Total outage", _seconds(continuity.get("total_outage_seconds"))),
                ("Longest outage", _seconds(continuity.get("longest_outage_seconds"))),
                ("Billing modifier", _text(billing.get("modifier"))),
                ("Audio-only reason", _text(billing.get("audio_only_reason"))),
                ("Events after signature", _text(continuity.get("events_after_signature"))),
            ]
        )
        outages = continuity.get("outages") or []
        if outages:
            yield _p("Outages", "h3")
            yield _grid(
                ["From", "To", "Seconds", "Reason"],
                (
                    [
                        _when(o.get("start_at")),
                        _when(o.get("end_at")),
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
    yield _p(f"Event timeline ({len(events)} events)", "h3")
    if not events:
        yield _p("No platform events recorded.", "small")
        return
    shown = events[:MAX_TIMELINE_ROWS]
    yield _grid(
        ["Offset", "Time", "Event", "Who", "Detail"],
        (
            [
                _offset(e.get("offset_seconds")),
                _when(e.get("at")),
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
        yield _p(
            f"{len(events) - len(shown)} further events are not printed here; they are in the "
            "JSON and FHIR exports of this report.",
            "small",
        )


def _completeness(report: Mapping[str, Any]) -> Iterable[Flowable]:
    completeness = report["completeness"]
    elements = completeness["elements"]
    yield from _section("Documentation completeness")
    missing = completeness.get("missing") or []
    summary = (
        f"{len(completeness.get('captured') or [])} of {len(elements)} elements captured. "
        + (f"Missing or partial: {len(missing)}. " if missing else "Nothing missing. ")
        + (
            "All required elements are documented."
            if completeness.get("complete")
            else "Required elements are still open; see below."
        )
    )
    yield _p(_text(summary))
    yield Spacer(1, 4)
    yield _grid(
        ["Element", "Status", "Detail", "Required by"],
        (
            [
                e["label"],
                STATUS_WORDS.get(e["status"], e["status"]),
                e["detail"] + ("" if e["required"] else " (recommended)"),
                ", ".join(e["sources"]),
            ]
            for e in elements
        ),
        [0.26, 0.11, 0.31, 0.32],
        [STATUS_COLOURS.get(e["status"]) for e in elements],
    )
    sources = completeness.get("sources") or {}
    yield _p("Sources", "h3")
    for key, source in sources.items():
        evidence = " (secondary source)" if source.get("evidence") == "secondary" else ""
        yield _p(
            f"<b>{_text(key)}</b>: {_text(source.get('citation'))}{evidence}. "
            f"{_text(source.get('url'))}",
            "small",
        )


def _addenda(report: Mapping[str, Any]) -> Iterable[Flowable]:
    addenda = report.get("addenda") or []
    if not addenda:
        return
    yield from _section("Addenda")
    for entry in addenda:
        author = entry.get("author") or {}
        yield _p(f"{_text(author.get('name'))}, {_when(entry.get('written_at'))}", "h3")
        yield _p(_text(entry.get("text"), limit=20_000))


def _signature(report: Mapping[str, Any]) -> Iterable[Flowable]:
    attestation = report["attestation"]
    version = report.get("version") or {}
    body = {k: v for k, v in report.items() if k != "version"}
    signer = attestation.get("signed_by") or {}
    rows = [
        ("Statement", _text(attestation.get("statement"))),
        ("Signed by", _text(signer.get("name")) if attestation["signed"] else "Not signed (draft)"),
        ("Signed at", _when(attestation.get("signed_at")) if attestation["signed"] else "n/a"),
    ]
    hashes = [
        ("Version", f"{version.get('number')} ({version.get('kind')})" if version else None),
        ("Content hash", version.get("content_hash")),
        ("Previous hash", version.get("previous_hash")),
        ("Body digest", sha256_digest(body)),
    ]
    block: list[Flowable] = [*_section("Clinician attestation"), _facts(rows), Spacer(1, 4)]
    block.extend(_hash_row(label, value) for label, value in hashes)
    block.append(
        _p(
            "The content hash covers this version's body and the previous version's hash; "
            "recomputing the chain from the stored versions shows whether anything was altered.",
            "small",
        )
    )
    yield KeepTogether(block)
