"""The continuity rules, one situation at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from teleframe.services.continuity import Continuity, Protocol, due_actions, fold
from teleframe.services.providers import Event

from .events import END, START, at, ended, invoked, joined, left, modality, started

DEFAULT_POLICY = Path(__file__).parents[3] / "config" / "policy" / "default.yaml"


def folded(*events: Event) -> Continuity:
    return fold(events, Protocol(), scheduled_start=START, scheduled_end=END)


def test_a_quick_reconnection_without_a_reason_is_a_network_drop() -> None:
    """Twilio and Daily give no reason: a rejoin within the wait is what marks a drop."""
    record = folded(
        joined(0, "a", link="PA1"), joined(1, "b", link="PA2"),
        left(10, "b", link="PA2"), joined(10.5, "b", link="PA3"), ended(),
    )  # fmt: skip
    assert record.drops == 1
    assert [(o.seconds, o.reason) for o in record.outages] == [(30, "network")]
    assert record.effective_contact_seconds == 48.5 * 60


def test_a_long_absence_without_a_reason_is_an_outage_but_not_a_drop() -> None:
    record = folded(joined(0, "a"), joined(1, "b"), left(10, "b"), joined(15, "b"), ended())
    assert record.drops == 0
    assert [(o.seconds, o.reason) for o in record.outages] == [(300, "unknown")]


def test_a_stated_departure_is_not_turned_into_a_drop() -> None:
    record = folded(
        joined(0, "c", "client"), joined(0, "k", "clinician"),
        left(20, "c", "client_left", "client"), joined(20.2, "c", "client"), ended(),
    )  # fmt: skip
    assert record.drops == 0
    assert [o.reason for o in record.outages] == ["client_left"]


def test_a_leave_without_a_join_changes_nothing() -> None:
    record = folded(left(5, "c", "network"), joined(6, "c"), joined(7, "k"), ended())
    assert record.outages == ()
    assert record.drops == 0
    assert record.modality_segments[0].start_at == at(7)


def test_the_usual_goodbye_at_the_end_is_not_an_outage() -> None:
    record = folded(
        started(), joined(0, "a"), joined(1, "b"), left(49.5, "b"), left(49.7, "a"), ended(55)
    )
    assert record.outages == ()
    assert record.summary == "No interruptions."
    assert record.effective_contact_seconds == 48.5 * 60


def test_an_early_quiet_departure_ends_the_session_when_the_room_empties() -> None:
    """Twilio's room-ended comes minutes after the room empties; that wait is not an outage."""
    record = folded(joined(0, "a"), joined(1, "b"), left(30, "b"), left(30.5, "a"), ended(35.5))
    assert record.outages == ()


def test_a_client_who_vanishes_while_the_clinician_waits_is_an_outage() -> None:
    record = folded(joined(0, "a"), joined(1, "b"), left(30, "b"), left(34, "a"), ended(34))
    assert [(o.start_at, o.end_at, o.reason) for o in record.outages] == [
        (at(30), at(34), "unknown")
    ]


def test_a_clinician_drop_also_breaks_contact() -> None:
    record = folded(
        joined(0, "c", "client"), joined(0, "k", "clinician"),
        left(12, "k", "network", "clinician"), joined(13, "k", "clinician"), ended(),
    )  # fmt: skip
    assert [(o.seconds, o.reason) for o in record.outages] == [(60, "network")]


def test_a_second_connection_of_the_same_person_keeps_them_connected() -> None:
    record = folded(
        joined(0, "a", link="PA1"), joined(0, "b", link="PA2"),
        joined(10, "b", link="PA3"), left(10.1, "b", link="PA2"), ended(),
    )  # fmt: skip
    assert record.outages == ()


def test_a_third_participant_does_not_hide_the_clients_drop_when_roles_are_known() -> None:
    record = folded(
        joined(0, "c", "client"), joined(0, "k", "clinician"), joined(0, "interpreter"),
        left(5, "c", "network", "client"), joined(7, "c", "client"), ended(),
    )  # fmt: skip
    assert [o.seconds for o in record.outages] == [120]


def test_an_outage_still_open_calls_for_the_backup_plan_then_rescheduling() -> None:
    drop = [joined(0, "c", "client"), joined(0, "k", "clinician"), left(10, "c", "network")]
    record = folded(*drop)
    assert record.open_outage is not None
    assert due_actions(record, Protocol(), now=at(11.9)) == []
    assert due_actions(record, Protocol(), now=at(12)) == ["backup_plan.due"]
    assert due_actions(record, Protocol(), now=at(25)) == [
        "backup_plan.due",
        "reschedule.suggested",
    ]
    answered = folded(*drop, invoked(12.5))
    assert due_actions(answered, Protocol(), now=at(13)) == []


def test_a_quiet_leave_with_nobody_waiting_is_not_an_open_outage() -> None:
    record = folded(joined(0, "a"), joined(1, "b"), left(20, "b"), left(20.2, "a"))
    assert record.open_outage is None
    assert due_actions(record, Protocol(), now=at(30)) == []


def test_nothing_is_due_once_the_session_has_ended() -> None:
    record = folded(
        joined(0, "c", "client"), joined(0, "k", "clinician"), left(10, "c", "network"), ended(30)
    )
    assert due_actions(record, Protocol(), now=at(31)) == []
    assert record.backup_plan.due_at == at(12)
    assert record.backup_plan.followed is False
    assert "backup plan was due at 14:12 UTC and not recorded as used" in record.summary
    assert record.reschedule_suggested_at == at(25)


def test_phone_from_the_start_is_billed_audio_only_with_its_reason() -> None:
    record = folded(started(), modality(2, "phone", "client_declined_video"), ended(45))
    assert [(s.modality, s.start_at, s.end_at) for s in record.modality_segments] == [
        ("phone", at(2), at(45))
    ]
    assert (record.billing.modifier, record.billing.audio_only_reason) == (
        "93",
        "client_declined_video",
    )
    assert record.effective_contact_seconds == 43 * 60
    assert record.summary == (
        "No interruptions, finished by phone from 14:02 UTC because the client did not consent to video."
    )


@pytest.mark.parametrize(
    ("changes", "modifier"),
    [
        ([], "95"),
        ([modality(20, "audio_only", "video_failed")], "93"),
        ([modality(20, "audio_only")], None),
        ([modality(20, "phone"), modality(30, "video")], None),
    ],
)
def test_billing_modifier(changes: list[Event], modifier: str | None) -> None:
    record = folded(joined(0, "a"), joined(1, "b"), *changes, ended())
    assert record.billing.modifier == modifier


def test_a_return_to_video_is_its_own_segment() -> None:
    record = folded(
        joined(0, "a"),
        joined(1, "b"),
        modality(20, "audio_only", "video_failed"),
        modality(25, "video"),
        ended(),
    )
    assert [(s.modality, s.start_at, s.end_at) for s in record.modality_segments] == [
        ("video", at(1), at(20)),
        ("audio_only", at(20), at(25)),
        ("video", at(25), at(50)),
    ]
    assert "audio-only from 14:20 UTC to 14:25 UTC because the video failed" in record.summary


def test_summaries_for_empty_and_unconnected_sessions() -> None:
    assert folded().summary == "No session events were recorded."
    assert folded(joined(0, "a")).summary == (
        "The client and the clinician were never connected at the same time."
    )
    late = folded(joined(9, "a"), joined(9, "b"), ended())
    assert late.summary == "Started 9 min late, no interruptions."


def test_protocol_from_policy() -> None:
    assert Protocol.from_policy({}) == Protocol()
    custom = Protocol.from_policy({"disruption": {"backup_plan_due_after_seconds": 180}})
    assert custom == Protocol(backup_plan_due_after_seconds=180)
    with pytest.raises(ValueError, match="negative"):
        Protocol.from_policy({"disruption": {"reconnect_wait_seconds": -1}})
    assert Protocol.from_policy(yaml.safe_load(DEFAULT_POLICY.read_text())) == Protocol()


def test_a_longer_reconnect_wait_from_policy_turns_a_long_gap_into_a_drop() -> None:
    events = [joined(0, "a"), joined(1, "b"), left(10, "b"), joined(11.5, "b"), ended()]
    assert folded(*events).drops == 0
    patient = fold(
        events, Protocol(reconnect_wait_seconds=120), scheduled_start=START, scheduled_end=END
    )
    assert patient.drops == 1
