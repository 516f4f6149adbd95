"""Who signs or amends a report: an authenticated person of the session's clinician record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from teleframe.models import Clinician, TherapySession
from teleframe.services.accounts.signature import credentials


@dataclass(frozen=True)
class Signer:
    """An authenticated person acting on a report, and how they proved who they are."""

    user_id: uuid.UUID
    clinician_id: uuid.UUID | None
    method: str
    token_id: uuid.UUID | None = None


def signer_facts(
    session: Session, therapy_session: TherapySession, signer: Signer
) -> dict[str, Any] | None:
    """What the signature records about the signer; None unless they are the session's
    clinician."""
    if signer.clinician_id is None or signer.clinician_id != therapy_session.clinician_id:
        return None
    clinician = session.get_one(Clinician, signer.clinician_id)
    return {
        "id": str(clinician.id),
        "name": clinician.name,
        "credentials": credentials(clinician.licenses or []),
        "user_id": str(signer.user_id),
        "method": signer.method,
        "token_id": str(signer.token_id) if signer.token_id else None,
    }
