"""The table shapes the document is made of: grids, label/value facts, hash rows, headings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from teleframe.services.report_pdf.text import cell, markup, para

WIDTH = LETTER[0] - 1.5 * inch


def grid(
    header: Sequence[str],
    rows: Iterable[Sequence[Paragraph | str]],
    widths: Sequence[float],
    row_colours: Sequence[Any] = (),
) -> Table:
    body = [[para(escape(h), "cell_bold") for h in header]]
    body.extend([c if isinstance(c, Flowable) else cell(c) for c in row] for row in rows)
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


def facts(pairs: Iterable[tuple[str, str]]) -> Table:
    """A two-column label/value table; values are already safe markup."""
    rows = [[para(escape(label), "cell_bold"), para(value, "cell")] for label, value in pairs]
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


def hash_row(label: str, value: Any) -> Table:
    """Hashes in a monospaced full-width row, so they print (and extract) on one line."""
    table = Table(
        [[para(escape(label), "cell_bold"), para(markup(value), "mono")]],
        colWidths=[0.3 * WIDTH, 0.7 * WIDTH],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def section(title: str) -> list[Flowable]:
    return [CondPageBreak(1.2 * inch), para(escape(title), "h2")]
