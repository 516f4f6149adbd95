"""Fonts, paragraph styles and the colours that carry a verdict or a status."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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


@cache
def fonts() -> tuple[str, str]:
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
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
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
