"""Who is on which side, and whether the connected participants amount to contact."""

from __future__ import annotations

from datetime import timedelta

from teleframe.services.providers import Event


def roles(events: list[Event]) -> dict[str, str | None]:
    """Each participant's role as any of its events states it (clinician wins a conflict)."""
    roles: dict[str, str | None] = {}
    for event in events:
        if event.participant_key is None:
            continue
        stated = roles.get(event.participant_key)
        if stated != "clinician":
            roles[event.participant_key] = event.role or stated
    return roles


def leave_reasons(
    events: list[Event], roles: dict[str, str | None], wait: timedelta
) -> dict[int, str]:
    """A leave with no stated reason, followed within the wait by a rejoin, was a drop."""
    joins = [(i, e) for i, e in enumerate(events) if e.kind == "participant.joined"]
    inferred = {}
    for index, leave in enumerate(events):
        if leave.kind != "participant.left" or leave.reason not in (None, "unknown"):
            continue
        if any(
            later > index
            and join.occurred_at - leave.occurred_at <= wait
            and _same_side(leave.participant_key, join.participant_key, roles)
            for later, join in joins
        ):
            inferred[index] = "network"
    return inferred


def _same_side(left: str | None, joined: str | None, roles: dict[str, str | None]) -> bool:
    if left is None or joined is None:
        return False
    return left == joined or (roles.get(left) == "client" and roles.get(joined) == "client")


def has_contact(connected: set[str], roles: dict[str, str | None]) -> bool:
    known = {role for role in roles.values() if role is not None}
    if not known:
        return len(connected) >= 2
    clients = {k for k in connected if _on_side(roles.get(k), "client", known)}
    clinicians = {k for k in connected if _on_side(roles.get(k), "clinician", known)}
    return bool(clients) and bool(clinicians)


def _on_side(role: str | None, side: str, known: set[str]) -> bool:
    """With only one role ever stated, everyone else is taken to be on the other side."""
    if side in known:
        return role == side
    return role is None or role == side
