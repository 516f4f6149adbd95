"""The frame report as a readable clinical PDF (reportlab platypus).

Every piece of report text goes through `text.markup`, which escapes reportlab's paragraph
markup, so a client's `<b>` or `<script>` prints literally.
"""

from teleframe.services.report_pdf.completeness import STATUS_WORDS
from teleframe.services.report_pdf.continuity import MAX_TIMELINE_ROWS
from teleframe.services.report_pdf.document import render_pdf
from teleframe.services.report_pdf.styles import STATUS_COLOURS, VERDICT_COLOURS
from teleframe.services.report_pdf.tables import WIDTH
from teleframe.services.report_pdf.text import MAX_CELL_CHARS

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_TIMELINE_ROWS",
    "STATUS_COLOURS",
    "STATUS_WORDS",
    "VERDICT_COLOURS",
    "WIDTH",
    "render_pdf",
]
