"""An endpoint's failure streak: disabled once its deliveries have failed for 5 days running.

The streak starts at the first failed attempt after a success (`failing_since`) and any
success ends it. Each statement is a conditional UPDATE that matches no row in the common
case (a healthy endpoint answering 2xx), so busy lanes of one endpoint do not queue on its row.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from teleframe.models import WebhookEndpoint
from teleframe.services import delivery as rules

log = logging.getLogger(__name__)

FAILING_LIMIT = timedelta(days=5)
FAILING_REASON = 'Every delivery failed for 5 days; re-enable with PATCH {"enabled": true}.'


def note(
    session: Session, endpoint_id: uuid.UUID, outcome: rules.Outcome, result: str, now: datetime
) -> None:
    """Count one recorded attempt towards (or against) the endpoint's failure streak. A body
    teleframe could not send is its own fault, not the receiver's: it does not count."""
    if outcome.error in rules.FATAL_ERRORS or result == rules.GONE:
        return
    if result == rules.SUCCEEDED:
        _set(session, endpoint_id, [WebhookEndpoint.failing_since.is_not(None)], failing_since=None)
        return
    _set(session, endpoint_id, [WebhookEndpoint.failing_since.is_(None)], failing_since=now)
    if _set(
        session,
        endpoint_id,
        [
            WebhookEndpoint.disabled_at.is_(None),
            WebhookEndpoint.failing_since <= now - FAILING_LIMIT,
        ],
        disabled_at=now,
        disabled_reason=FAILING_REASON,
    ):
        log.info("webhook endpoint %s disabled: failing for %s", endpoint_id, FAILING_LIMIT)


def _set(session: Session, endpoint_id: uuid.UUID, where: list, **values: object) -> bool:
    done = session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(done, "rowcount", 0))
