"""The clinician's attestation, signing, and addenda that follow a signed version."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from teleframe.services.accounts.signature import signature_line
from teleframe.services.report.completeness import summary

ATTESTATION_STATEMENT = (
    "I attest that at the start of this session I verified the client's identity and the "
    "address of their present location as recorded in this report, confirmed an alternative "
    "way to reach them if the technology failed, and confirmed that everyone present at the "
    "client's location and at mine was identified and permitted to hear the client's health "
    "information. This report accurately reflects the frame of the session."
)


class ReportSigningError(ValueError):
    """The report cannot be signed as asked."""


def sign(
    report: Mapping[str, Any],
    *,
    signer: Mapping[str, Any],
    signed_at: str,
    reviewed_hash: str | None = None,
) -> dict[str, Any]:
    """A signed copy: the clinician attests the statement; elements it covers become captured.

    `signer` names the clinician record (id, name, credentials), the signed-in user and the
    method by which they proved who they are."""
    if report["attestation"]["signed"]:
        raise ReportSigningError("the report is already signed")
    if report["clinician"]["id"] != signer["id"]:
        raise ReportSigningError("only the session's clinician can sign its report")
    signed = copy.deepcopy(dict(report))
    method = signer.get("method") or ""
    signed["attestation"] = {
        "signed": True,
        "signed_by": {k: v for k, v in signer.items() if k not in ("method", "token_id")},
        "signed_at": signed_at,
        "method": method,
        "token_id": signer.get("token_id"),
        "reviewed_hash": reviewed_hash,
        "line": signature_line(signer, signed_at, method),
        "statement": report["attestation"]["statement"],
    }
    for element in signed["completeness"]["elements"]:
        if element["status"] == "pending_attestation":
            element["status"] = "captured"
            element["detail"] = f"attested by the clinician at {signed_at}"
    signed["completeness"].update(summary(signed["completeness"]["elements"]))
    return signed


def addendum(text: str, *, author: Mapping[str, Any], written_at: str) -> dict[str, Any]:
    """An addendum entry; it is appended as a new version and never edits a signed one."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("an addendum needs text")
    method = author.get("method") or ""
    return {
        "kind": "addendum",
        "text": cleaned,
        "author": {k: v for k, v in author.items() if k not in ("method", "token_id")},
        "method": method,
        "token_id": author.get("token_id"),
        "line": signature_line(author, written_at, method),
        "written_at": written_at,
    }
