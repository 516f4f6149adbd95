"""The title block and the session: who, when, and on which modality."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.platypus import Flowable, Spacer

from teleframe.services.report_pdf.tables import facts, grid, section
from teleframe.services.report_pdf.text import markup, minutes, para, when


def header(report: Mapping[str, Any]) -> Iterable[Flowable]:
    attestation = report["attestation"]
    if attestation["signed"]:
        signer = attestation["signed_by"] or {}
        state = f"Signed by {markup(signer.get('name'))} on {when(attestation['signed_at'])}"
    else:
        state = "DRAFT: not signed"
    yield para("Telehealth session frame report", "title")
    yield para(f"{state} · generated {when(report.get('generated_at'))}", "subtitle")
    yield Spacer(1, 6)


def session(report: Mapping[str, Any]) -> Iterable[Flowable]:
    session, client, clinician = report["session"], report["client"], report["clinician"]
    video = session.get("video") or {}
    licences = "; ".join(
        markup(
            f"{lic.get('kind')} {lic.get('number')} ({lic.get('jurisdiction')}, "
            f"expires {lic.get('expires_on')})"
        )
        for lic in clinician.get("licenses") or ()
        if lic
    )
    yield from section("Session")
    yield facts(
        [
            (
                "Client",
                f"{markup(client.get('display_name'))} (date of birth "
                f"{markup(client.get('date_of_birth'))}{', minor' if client.get('minor') else ''})",
            ),
            ("Clinician", markup(clinician.get("name"))),
            ("Licences", licences or "not recorded"),
            ("Compacts", markup(", ".join(clinician.get("compacts") or ()) or None)),
            (
                "Session",
                f"{markup(session.get('id'))} · status {markup(session.get('status'))} · "
                f"reference {markup(session.get('external_ref'))}",
            ),
            (
                "Video room",
                markup(f"{video.get('provider')} {video.get('room_id')}" if video else None),
            ),
            (
                "Scheduled",
                f"{when(session.get('scheduled_start'))} to "
                f"{when(session.get('scheduled_end'))} ({minutes(session.get('scheduled_minutes'))})",
            ),
            (
                "Actual",
                f"{when(session.get('actual_start'))} to {when(session.get('actual_end'))} "
                f"({minutes(session.get('actual_minutes'))})",
            ),
            ("Effective contact", minutes(session.get("effective_contact_minutes"))),
        ]
    )
    segments = session.get("modality_segments") or []
    yield para("Modality segments", "h3")
    if not segments:
        yield para("No modality segments recorded.", "small")
        return
    yield grid(
        ["Modality", "From", "To", "Minutes", "Reason"],
        (
            [
                s.get("modality"),
                when(s.get("start_at")),
                when(s.get("end_at")),
                minutes(s.get("minutes")),
                s.get("reason") or "",
            ]
            for s in segments
        ),
        [0.16, 0.24, 0.24, 0.12, 0.24],
    )
