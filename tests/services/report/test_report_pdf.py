from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from teleframe.services.report import addendum, build_report, sign
from teleframe.services.report_pdf import MAX_TIMELINE_ROWS, render_pdf
from tests.services.report.sample import CHECKIN_DATA, CLIENT, CLINICIAN, many_events, sample_input

HOSTILE = "<script>alert(1)</script>"


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"[ \t]+", " ", "\n".join(page.extract_text() for page in pages))


def _signed(**changes: Any) -> dict[str, Any]:
    report = build_report(sample_input(**changes))
    return sign(
        report,
        signer={
            "id": CLINICIAN["id"],
            "name": "Dana Reyes",
            "method": "password and authenticator code",
        },
        signed_at="2026-12-01T18:05:00Z",
    )


def test_pdf_states_the_key_facts() -> None:
    report = _signed()
    report["version"] = {
        "number": 2,
        "kind": "signed",
        "content_hash": "sha256:" + "c" * 64,
        "previous_hash": None,
    }

    text = _text(render_pdf(report))

    for fact in (
        "Telehealth session frame report",
        "Signed by Dana Reyes on 2026-12-01 18:05:00 UTC",
        "Sam Client",
        "1200 Lakeshore Ave",
        "Verdict: ATTENTION",
        "Partner present; confirm privately",
        "10: Telehealth provided in patient's home",
        "+15105550123",
        "Crisis line",
        "One network drop of 3 minutes; continued by phone.",
        "modality.changed",
        "Documentation completeness",
        "Client's consent to telehealth",
        "MISSING",
        "I attest that at the start of this session",
        "sha256:" + "c" * 64,
    ):
        assert fact in text, fact


def test_a_draft_says_it_is_not_signed() -> None:
    text = _text(render_pdf(build_report(sample_input())))

    assert "DRAFT: not signed" in text
    assert "Not signed (draft)" in text


def test_client_text_prints_literally_and_injects_nothing() -> None:
    data = {
        **CHECKIN_DATA,
        "location": {
            **CHECKIN_DATA["location"],
            "address": "<b>12 Main</b> & <font size=40>Co</font>",
        },
        "others_present": [
            {"relationship": "<i>boss</i>", "minor": False, "client_consents_to_hear": False}
        ],
    }
    report = _signed(
        client={**CLIENT, "display_name": HOSTILE},
        checkin={"id": "c", "submitted_at": "2026-12-01T16:52:30Z", "data": data},
    )
    report["addenda"] = [
        addendum(
            f"Said {HOSTILE} &amp; more",
            author={"id": "x", "name": "<u>Dr</u>", "method": "password and authenticator code"},
            written_at="2026-12-02T09:00:00Z",
        )
    ]

    text = _text(render_pdf(report))

    assert HOSTILE in text
    assert "<b>12 Main</b> & <font size=40>Co</font>" in text
    assert "<i>boss</i>" in text
    assert f"Said {HOSTILE} &amp; more" in text
    assert "<u>Dr</u>" in text


@settings(max_examples=25, deadline=None)
@given(name=st.text(min_size=1, max_size=80))
def test_any_client_text_renders(name: str) -> None:
    assert render_pdf(
        build_report(sample_input(client={**CLIENT, "display_name": name}))
    ).startswith(b"%PDF")


def test_same_report_same_bytes() -> None:
    report = _signed()

    assert render_pdf(report) == render_pdf(report)


def test_long_timelines_are_cut_with_a_pointer_to_the_full_record() -> None:
    text = _text(render_pdf(build_report(sample_input(events=many_events(MAX_TIMELINE_ROWS + 50)))))

    assert "50 further events are not printed here" in text


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None and os.environ.get("CI") != "true",
    reason="poppler-utils not installed (.ci/run installs it; in CI this fails instead)",
)
def test_pdf_renders_to_an_image(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(_signed()))

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)

    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 2_000 for p in pages)
