"""Today: the day's sessions with frame badges that refresh without a reload."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import jsonify, render_template, request
from flask_login import current_user, login_required

from teleframe.accounts import clock
from teleframe.dashboard import day
from teleframe.dashboard.blueprint import blp
from teleframe.db import audit
from teleframe.extensions import db


def _day() -> date:
    try:
        return date.fromisoformat(request.args.get("date", "")[:10])
    except ValueError:
        return clock.now().date()


@blp.get("/")
@login_required
def today() -> Any:
    chosen = _day()
    rows = day.day_rows(db.session, current_user.user, chosen)
    # client names are PHI: the list is a read by this person
    audit.record(
        db.session,
        audit.request_actor(),
        practice_id=current_user.practice_id,
        action="read",
        resource_type="day",
        resource_id=chosen.isoformat(),
        detail={"sessions": [str(row.session.id) for row in rows]},
    )
    db.session.commit()
    return render_template("dashboard/today.html", rows=rows, day=chosen)


@blp.get("/badges")
@login_required
def badges() -> Any:
    """Session ids and badge words only (no PHI): polled every few seconds by Today."""
    found = day.day_sessions(db.session, current_user.user, _day())
    return jsonify(
        {
            str(s.id): {"key": b.key, "label": b.label}
            for s in found
            for b in [day.session_badge(db.session, s)]
        }
    )
