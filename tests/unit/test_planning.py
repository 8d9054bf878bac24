"""Planning (issue 15): a time and a place, and moving, cancelling and deleting a planned
conversation, each rule enforced by the service with a clear message."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlmodel import Session, select

from app.conversations import planning, service
from app.conversations.steps import STEPS
from app.errors import DomainError, NotFound
from app.models import AuditEvent, Conversation, ConversationStatus, Step, StepTime
from app.models.conversations import DEFAULT_DURATION_MINUTES
from tests.conversation_fixtures import World, make_world

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def ids(world: World) -> dict[str, int]:
    return {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}


def move(session: Session, world: World, **changes: object) -> Conversation:
    values: dict[str, object] = {
        "on": date(2026, 12, 3),
        "starts_at": time(13, 30),
        "duration_minutes": 60,
        "place": "Mødelokale 2",
        "today": TODAY,
    }
    values.update(changes)
    return planning.move_conversation(session, **ids(world), **values)  # type: ignore[arg-type]


def audit_actions(session: Session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


def test_a_new_conversation_has_no_time_yet_and_lasts_the_six_steps(world: World) -> None:
    conversation = world.conversation
    assert conversation.starts_at is None
    assert conversation.duration_minutes == sum(info.minutes for info in STEPS) == 70
    assert DEFAULT_DURATION_MINUTES == 70
    assert conversation.place == ""
    assert conversation.invitation_sequence == 0


def test_planning_with_a_time_and_a_place(session: Session, world: World) -> None:
    conversation = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Ny",
        on=date(2026, 12, 8),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
        starts_at=time(10, 15, 42),
        duration_minutes=75,
        place="  Kontoret,   3. sal ",
    )
    session.refresh(conversation)
    assert (conversation.starts_at, conversation.duration_minutes, conversation.place) == (
        time(10, 15),
        75,
        "Kontoret, 3. sal",
    )


@pytest.mark.parametrize("minutes", [0, 4, 481, -30])
def test_planning_refuses_a_duration_out_of_range(
    session: Session, world: World, minutes: int
) -> None:
    with pytest.raises(DomainError) as refused:
        service.check_meeting(starts_at=None, duration_minutes=minutes, place="")
    assert "duration" in refused.value.message


def test_planning_refuses_a_place_too_long(world: World) -> None:
    with pytest.raises(DomainError):
        service.check_meeting(starts_at=None, duration_minutes=90, place="x" * 201)


def test_move_sets_the_new_time_and_raises_the_sequence(session: Session, world: World) -> None:
    moved = move(session, world)
    session.refresh(moved)
    assert (moved.date, moved.starts_at, moved.duration_minutes, moved.place) == (
        date(2026, 12, 3),
        time(13, 30),
        60,
        "Mødelokale 2",
    )
    assert moved.invitation_sequence == 1
    # The follow-up keeps its distance to the conversation (six months from 1 December).
    assert moved.follow_up_date == date(2027, 6, 3)
    again = move(session, world)  # the same move twice: a double tap
    assert again.invitation_sequence == 1
    assert move(session, world, starts_at=time(14, 0)).invitation_sequence == 2


def test_move_refuses_a_day_that_has_passed(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        move(session, world, on=date(2026, 11, 19))
    assert "passed" in refused.value.message
    session.refresh(world.conversation)
    assert world.conversation.date == date(2026, 12, 1)


def test_move_to_today_is_allowed(session: Session, world: World) -> None:
    assert move(session, world, on=TODAY).date == TODAY


def test_move_refuses_a_year_out_of_range(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        move(session, world, on=date(2101, 1, 1))


def test_move_refuses_a_running_conversation(session: Session, world: World) -> None:
    service.start_conversation(session, **ids(world), now=NOW)
    with pytest.raises(DomainError) as refused:
        move(session, world)
    assert "started" in refused.value.message


def test_move_refuses_a_finished_conversation(session: Session, world: World) -> None:
    world.conversation.status = ConversationStatus.completed
    session.add(world.conversation)
    session.commit()
    with pytest.raises(DomainError) as refused:
        move(session, world)
    assert "finished" in refused.value.message


def test_move_refuses_another_leaders_conversation(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        planning.move_conversation(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            on=date(2026, 12, 3),
            starts_at=None,
            duration_minutes=None,
            place="",
            today=TODAY,
        )


def test_cancel_keeps_the_conversation_with_its_reason(session: Session, world: World) -> None:
    cancelled = planning.cancel_conversation(session, **ids(world), reason=" Syg ", now=NOW)
    session.refresh(cancelled)
    assert cancelled.status == ConversationStatus.cancelled
    assert cancelled.cancel_reason == "Syg"
    assert cancelled.cancelled_at is not None
    assert cancelled.invitation_sequence == 1
    assert audit_actions(session) == ["cancel"]
    # A double tap changes nothing and logs nothing more.
    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    assert audit_actions(session) == ["cancel"]


def test_cancel_asks_for_a_reason(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        planning.cancel_conversation(session, **ids(world), reason="   ", now=NOW)
    assert "why" in refused.value.message
    session.refresh(world.conversation)
    assert world.conversation.status == ConversationStatus.planned


def test_cancel_refuses_a_reason_too_long(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        planning.cancel_conversation(session, **ids(world), reason="x" * 1001, now=NOW)


def test_cancel_refuses_a_running_conversation(session: Session, world: World) -> None:
    service.start_conversation(session, **ids(world), now=NOW)
    with pytest.raises(DomainError):
        planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)


def test_a_cancelled_conversation_cannot_start(session: Session, world: World) -> None:
    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    with pytest.raises(DomainError) as refused:
        service.start_conversation(session, **ids(world), now=NOW)
    assert "cancelled" in refused.value.message
    with pytest.raises(DomainError):
        service.set_status_card(
            session, **ids(world), card_id=world.status_cards[0].id or 0, picked=True
        )
    with pytest.raises(DomainError):
        service.finish_conversation(session, **ids(world), now=NOW)


def test_opening_a_step_of_a_cancelled_conversation_starts_no_clock(
    session: Session, world: World
) -> None:
    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    opened = service.open_step(session, **ids(world), step=Step.status, now=NOW)
    assert opened.status == ConversationStatus.cancelled
    assert opened.step_since is None
    assert opened.current_step == Step.start


def test_a_cancelled_conversation_cannot_be_moved(session: Session, world: World) -> None:
    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    with pytest.raises(DomainError) as refused:
        move(session, world)
    assert "cancelled" in refused.value.message


def test_delete_removes_a_planned_conversation(session: Session, world: World) -> None:
    conversation_id = world.conversation.id
    employee_id = planning.delete_conversation(session, **ids(world), now=NOW)
    assert employee_id == world.conversation.employee_id
    session.expire_all()
    assert session.get(Conversation, conversation_id) is None
    assert audit_actions(session) == ["delete"]
    events = list(session.exec(select(AuditEvent)))
    assert (events[0].conversation_id, events[0].employee_id) == (conversation_id, employee_id)


def test_delete_takes_the_step_times_and_keeps_an_earlier_review(
    session: Session, world: World
) -> None:
    """The earlier conversation's agreement was reviewed at this one's Start step: the
    review stays, the pointer to the deleted conversation goes."""
    earlier = world.conversation
    earlier.status = ConversationStatus.completed
    session.add(earlier)
    session.commit()
    from app.models import Agreement

    agreement = Agreement(conversation_id=earlier.id or 0, text="Kursus", owner="employee")
    session.add(agreement)
    session.commit()
    later = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Medarbejder",
        on=date(2027, 6, 1),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    service.review_agreement(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=later.id or 0,
        agreement_id=agreement.id or 0,
        status="done",
        comment="Godt",
    )
    session.add(StepTime(conversation_id=later.id or 0, step="start", seconds=3))
    session.commit()
    planning.delete_conversation(
        session, leader_id=world.leader.id or 0, conversation_id=later.id or 0, now=NOW
    )
    session.expire_all()
    kept = session.get(Agreement, agreement.id)
    assert kept is not None
    assert (kept.status, kept.follow_up_comment, kept.reviewed_in_id) == ("done", "Godt", None)
    assert list(session.exec(select(StepTime))) == []


def test_delete_refuses_a_conversation_that_began(session: Session, world: World) -> None:
    service.start_conversation(session, **ids(world), now=NOW)
    with pytest.raises(DomainError):
        planning.delete_conversation(session, **ids(world), now=NOW)
    session.expire_all()
    assert session.get(Conversation, world.conversation.id) is not None


def test_a_cancelled_conversation_can_be_deleted(session: Session, world: World) -> None:
    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    planning.delete_conversation(session, **ids(world), now=NOW)
    session.expire_all()
    assert session.get(Conversation, world.conversation.id) is None


def test_delete_refuses_another_leaders_conversation(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        planning.delete_conversation(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            now=NOW,
        )


def test_the_invitation_carries_the_preparation_link_when_given(
    session: Session, world: World
) -> None:
    from icalendar import Calendar

    from app.records.invitation import render_invitation

    url = "https://mus.example.dk/p/abc"
    data = render_invitation(
        world.conversation,
        employee=None,
        leader=world.leader,
        base_url="https://mus.example.dk",
        now=NOW,
        preparation_url=url,
    )
    (event,) = Calendar.from_ical(data).walk("VEVENT")
    assert url in str(event["description"])
    without = render_invitation(
        world.conversation, employee=None, leader=world.leader, base_url="x", now=NOW
    )
    assert "/p/" not in without.decode()


def test_a_cancelled_conversation_is_not_counted_on_the_employee_list(
    session: Session, world: World
) -> None:
    from app.employees.service import employee_rows

    planning.cancel_conversation(session, **ids(world), reason="Syg", now=NOW)
    (row,) = employee_rows(session, leader_id=world.leader.id or 0)
    assert row.conversations == 0
