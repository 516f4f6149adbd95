"""Addenda, then the clinician's attestation with the version hashes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.platypus import Flowable, KeepTogether, Spacer

from teleframe.services.report_chain import sha256_digest
from teleframe.services.report_pdf.tables import facts, hash_row, section
from teleframe.services.report_pdf.text import markup, para, when


def addenda(report: Mapping[str, Any]) -> Iterable[Flowable]:
    addenda = report.get("addenda") or []
    if not addenda:
        return
    yield from section("Addenda")
    for entry in addenda:
        author = entry.get("author") or {}
        yield para(f"{markup(author.get('name'))}, {when(entry.get('written_at'))}", "h3")
        yield para(markup(entry.get("text"), limit=20_000))
        if entry.get("line"):
            yield para(markup(entry["line"]), "small")


def signature(report: Mapping[str, Any]) -> Iterable[Flowable]:
    attestation = report["attestation"]
    version = report.get("version") or {}
    body = {k: v for k, v in report.items() if k != "version"}
    signer = attestation.get("signed_by") or {}
    rows = [
        ("Statement", markup(attestation.get("statement"))),
        (
            "Signed by",
            markup(signer.get("name")) if attestation["signed"] else "Not signed (draft)",
        ),
        ("Signed at", when(attestation.get("signed_at")) if attestation["signed"] else "n/a"),
    ]
    hashes = [
        ("Version", f"{version.get('number')} ({version.get('kind')})" if version else None),
        ("Content hash", version.get("content_hash")),
        ("Previous hash", version.get("previous_hash")),
        ("Body digest", sha256_digest(body)),
    ]
    block: list[Flowable] = [*section("Clinician attestation"), facts(rows), Spacer(1, 4)]
    if attestation["signed"] and attestation.get("line"):
        # the signature in words: who, with which credentials, when, and how they proved it
        block.append(para(markup(attestation["line"])))
    block.extend(hash_row(label, value) for label, value in hashes)
    block.append(
        para(
            "The content hash covers this version's body and the previous version's hash; "
            "recomputing the chain from the stored versions shows whether anything was altered.",
            "small",
        )
    )
    yield KeepTogether(block)
