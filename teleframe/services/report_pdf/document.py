"""The document: page setup, footer, and the sections in reading order."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from teleframe.services.report_pdf.attestation import addenda, signature
from teleframe.services.report_pdf.completeness import completeness
from teleframe.services.report_pdf.continuity import continuity
from teleframe.services.report_pdf.findings import evaluation
from teleframe.services.report_pdf.frame import frame
from teleframe.services.report_pdf.session import header, session
from teleframe.services.report_pdf.styles import fonts


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
        canvas.setFont(fonts()[0], 7.5)
        canvas.setFillColor(colors.grey)
        text = f"teleframe frame report · session {session_id} · page {document.page}"
        canvas.drawString(0.75 * inch, 0.45 * inch, text)
        canvas.restoreState()

    doc.build(list(_story(report)), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _story(report: Mapping[str, Any]) -> Iterable[Flowable]:
    yield from header(report)
    yield from session(report)
    yield from evaluation(report)
    yield from frame(report)
    yield from continuity(report)
    yield from completeness(report)
    yield from addenda(report)
    yield from signature(report)
