"""The per-session frame report: a pure assembly of check-in, evaluation, continuity and events.

The report is clinical documentation (it holds PHI by design); nothing here logs its content.
"""

from teleframe.services.report.assembly import FORMAT, FORMAT_VERSION, ReportInput, build_report
from teleframe.services.report.attestation import (
    ATTESTATION_STATEMENT,
    ReportSigningError,
    addendum,
    sign,
)
from teleframe.services.report.checks import Check, Status
from teleframe.services.report.elements import ELEMENTS
from teleframe.services.report.findings import SEVERITY_ORDER
from teleframe.services.report.frame import POS_DESCRIPTIONS
from teleframe.services.report.sources import SOURCES

__all__ = [
    "ATTESTATION_STATEMENT",
    "ELEMENTS",
    "FORMAT",
    "FORMAT_VERSION",
    "POS_DESCRIPTIONS",
    "SEVERITY_ORDER",
    "SOURCES",
    "Check",
    "ReportInput",
    "ReportSigningError",
    "Status",
    "addendum",
    "build_report",
    "sign",
]
