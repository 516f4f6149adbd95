"""Who signed and who amended, and how they proved it: one Provenance each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from teleframe.services.report_fhir.common import References, compact, system


def provenance(report: Mapping[str, Any], refs: References) -> dict[str, Any]:
    attestation = report["attestation"]
    practitioner = {"reference": refs.practitioner}
    targets = [{"reference": refs.encounter}]
    if report.get("checkin"):
        targets.append({"reference": refs.response})
    version = report.get("version") or {}
    entity = None
    if version.get("content_hash"):
        entity = [
            {
                "role": "source",
                "what": {
                    "identifier": {
                        "system": system("report-version"),
                        "value": version["content_hash"],
                    }
                },
            }
        ]
    return compact(
        {
            "resourceType": "Provenance",
            "target": targets,
            "recorded": attestation["signed_at"],
            "reason": [{"text": attestation["statement"]}],
            "activity": _method(attestation, "Report signed"),
            "agent": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                "code": "attester",
                                "display": "Attester",
                            }
                        ]
                    },
                    "who": {**practitioner, "display": _signer_display(attestation)},
                }
            ],
            "entity": entity,
            "signature": [
                {
                    "type": [
                        {
                            "system": "urn:iso-astm:E1762-95:2013",
                            "code": "1.2.840.10065.1.12.1.5",
                            "display": "Verification Signature",
                        }
                    ],
                    "when": attestation["signed_at"],
                    "who": practitioner,
                }
            ],
        }
    )


def _signer_display(attestation: Mapping[str, Any]) -> str:
    signer = attestation.get("signed_by") or attestation.get("author") or {}
    return ", ".join(p for p in (signer.get("name"), signer.get("credentials")) if p)


def _method(entry: Mapping[str, Any], act: str) -> dict[str, Any] | None:
    """How the person proved who they were, in words (FHIR has no code for it)."""
    method = entry.get("method")
    return {"text": f"{act} ({method})"} if method else {"text": act}


def addendum_provenance(
    report: Mapping[str, Any], entry: Mapping[str, Any], refs: References
) -> dict[str, Any]:
    """One Provenance per addendum: its author, time and method."""
    author = {"reference": refs.practitioner, "display": _signer_display(entry)}
    return compact(
        {
            "resourceType": "Provenance",
            "target": [{"reference": refs.encounter}],
            "recorded": entry["written_at"],
            "reason": [{"text": "Addendum to the signed frame report"}],
            "activity": _method(entry, "Addendum written"),
            "agent": [
                {
                    "type": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                "code": "author",
                                "display": "Author",
                            }
                        ]
                    },
                    "who": author,
                }
            ],
        }
    )
