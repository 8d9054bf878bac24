"""Nothing final by accident (issue 13): Finish once, reopen for corrections, undo a removal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.conversations import service
from app.errors import DomainError, NotFound
from app.models import (
    Agreement,
    AuditEvent,
    BoardRow,
    Conversation,
    ConversationStatus,
    Pick,
    Step,
)
from app.records.service import build_record
from tests.conversation_fixtures import World, make_world

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def ids(world: World) -> dict[str, int]:
    return {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}


def ready_to_finish(session: Session, world: World) -> None:
    service.set_status_card(
        session, **ids(world), card_id=world.status_cards[0].id or 0, picked=True
    )
    service.set_no_agreements(session, **ids(world), value=True)


def utc(moment: datetime | None) -> datetime | None:
    """A moment read back: PostgreSQL's columns without a time zone hand back UTC without one."""
    return moment.replace(tzinfo=UTC) if moment and not moment.tzinfo else moment


def stored(session: Session, world: World) -> Conversation:
    session.expire_all()
    conversation = session.get(Conversation, world.conversation.id)
    assert conversation is not None
    return conversation


def test_a_double_tap_on_finish_finishes_once(session: Session, world: World) -> None:
    ready_to_finish(session, world)
    service.finish_conversation(session, **ids(world), now=NOW)
    # The second tap arrives a moment later: no refusal, and the first finish stands.
    again = service.finish_conversation(session, **ids(world), now=NOW + timedelta(seconds=1))
    assert again.status == ConversationStatus.completed
    conversation = stored(session, world)
    assert utc(conversation.completed_at) == NOW
    assert conversation.corrected_at is None


REOPEN_DAYS = 14


def finished(session: Session, world: World) -> Conversation:
    ready_to_finish(session, world)
    return service.finish_conversation(session, **ids(world), now=NOW)


def reopen(session: Session, world: World, at: datetime) -> Conversation:
    return service.reopen_conversation(session, **ids(world), now=at, reopen_days=REOPEN_DAYS)


def test_reopen_within_the_period_makes_the_conversation_editable_again(
    session: Session, world: World
) -> None:
    finished(session, world)
    with pytest.raises(DomainError):
        service.set_feedback(session, **ids(world), field="learned", text="Rettet")
    reopened = reopen(session, world, NOW + timedelta(days=REOPEN_DAYS))
    assert reopened.status == ConversationStatus.running
    service.set_feedback(session, **ids(world), field="learned", text="Rettet")
    assert stored(session, world).learned == "Rettet"


def test_reopen_is_logged_with_ids_only(session: Session, world: World) -> None:
    finished(session, world)
    at = NOW + timedelta(days=2)
    reopen(session, world, at)
    reopen(session, world, at)  # a double tap: one reopening, one entry
    (event,) = session.exec(select(AuditEvent)).all()
    assert (event.action, event.actor, event.user_id) == ("reopen", "user", world.leader.id)
    assert event.conversation_id == world.conversation.id
    assert event.employee_id == world.conversation.employee_id
    assert utc(event.at) == at


def test_reopen_after_the_period_is_refused_with_a_clear_message(
    session: Session, world: World
) -> None:
    finished(session, world)  # 1 December 2026, 10:00 in Copenhagen
    # The whole 15th is still in the period; the 16th is not.
    last_moment = datetime(2026, 12, 15, 22, 59, tzinfo=UTC)
    assert service.can_reopen(stored(session, world), reopen_days=REOPEN_DAYS, now=last_moment)
    with pytest.raises(DomainError) as error:
        reopen(session, world, last_moment + timedelta(minutes=1))
    assert "too late to reopen" in error.value.message
    assert stored(session, world).status == ConversationStatus.completed
    assert session.exec(select(AuditEvent)).all() == []


def test_reopening_can_be_turned_off(session: Session, world: World) -> None:
    finished(session, world)
    with pytest.raises(DomainError):
        service.reopen_conversation(
            session, **ids(world), now=NOW + timedelta(minutes=1), reopen_days=0
        )


def test_finishing_again_after_a_reopening_says_when_it_was_corrected(
    session: Session, world: World
) -> None:
    finished(session, world)
    reopen(session, world, NOW + timedelta(days=3))
    corrected = NOW + timedelta(days=3, minutes=5)
    service.finish_conversation(session, **ids(world), now=corrected)
    conversation = stored(session, world)
    assert conversation.status == ConversationStatus.completed
    assert (utc(conversation.completed_at), utc(conversation.corrected_at)) == (NOW, corrected)
    # The period still counts from the first finish: a correction does not lengthen it.
    assert service.last_day_to_reopen(conversation, reopen_days=REOPEN_DAYS) == date(2026, 12, 15)


def test_a_reopened_conversations_clock_stays_stopped(session: Session, world: World) -> None:
    service.open_step(session, **ids(world), step=Step.slut, now=NOW - timedelta(minutes=5))
    finished(session, world)
    before = service.seconds_per_step(session, stored(session, world), NOW)
    reopen(session, world, NOW + timedelta(days=1))
    service.open_step(session, **ids(world), step=Step.feedback, now=NOW + timedelta(days=1))
    later = NOW + timedelta(days=1, minutes=30)
    assert service.seconds_per_step(session, stored(session, world), later) == before


# ---------------------------------------------------------------- undo on the board


def place(session: Session, world: World, index: int, row: BoardRow) -> Pick:
    return service.place_card(
        session, **ids(world), card_id=world.inspiration_cards[index].id or 0, row=row
    )


def take_off(session: Session, world: World, pick: Pick, at: datetime = NOW) -> None:
    service.remove_pick(session, **ids(world), pick_id=pick.id or 0, now=at)


def put_back(session: Session, world: World, pick: Pick, at: datetime) -> Pick:
    return service.restore_pick(session, **ids(world), pick_id=pick.id or 0, now=at)


def board(session: Session, world: World) -> list[tuple[str, int | None, str]]:
    """The cards on the board in order: row, pick and note."""
    session.expire_all()
    picks = service.picks_of(session, stored(session, world), list(BoardRow))
    return [(p.row, p.id, p.note) for p in picks if not p.removed]


def test_undo_puts_the_card_back_in_its_row_and_place_with_its_note(
    session: Session, world: World
) -> None:
    first, middle, last = (place(session, world, i, BoardRow.glad) for i in range(3))
    service.set_pick_note(session, **ids(world), pick_id=middle.id or 0, note="Kollegerne")
    before = board(session, world)
    take_off(session, world, middle)
    assert [p for _, p, _ in board(session, world)] == [first.id, last.id]
    put_back(session, world, middle, NOW + timedelta(seconds=service.UNDO_SECONDS))
    assert board(session, world) == before
    assert before[1] == (BoardRow.glad, middle.id, "Kollegerne")


def test_undo_after_the_window_is_refused_and_the_card_stays_off(
    session: Session, world: World
) -> None:
    pick = place(session, world, 0, BoardRow.less_glad)
    take_off(session, world, pick)
    with pytest.raises(DomainError) as error:
        put_back(session, world, pick, NOW + timedelta(seconds=service.UNDO_SECONDS + 1))
    assert error.value.message.startswith("Too late to undo")
    assert board(session, world) == []


def test_undo_is_refused_when_the_row_filled_up_meanwhile(session: Session, world: World) -> None:
    picks = [place(session, world, i, BoardRow.glad) for i in range(3)]
    take_off(session, world, picks[0])
    place(session, world, 5, BoardRow.glad)
    with pytest.raises(DomainError) as error:
        put_back(session, world, picks[0], NOW + timedelta(seconds=5))
    assert "row is full" in error.value.message
    assert picks[0].id not in [p for _, p, _ in board(session, world)]


def test_a_second_undo_or_one_after_placing_the_card_again_changes_nothing(
    session: Session, world: World
) -> None:
    pick = place(session, world, 0, BoardRow.glad)
    take_off(session, world, pick)
    put_back(session, world, pick, NOW + timedelta(seconds=2))
    revision = stored(session, world).revision
    put_back(session, world, pick, NOW + timedelta(seconds=3))
    assert stored(session, world).revision == revision
    take_off(session, world, pick, NOW + timedelta(seconds=4))
    place(session, world, 0, BoardRow.more_glad)
    put_back(session, world, pick, NOW + timedelta(seconds=5))
    assert board(session, world) == [(BoardRow.more_glad, pick.id, "")]


def test_undo_after_the_step_was_left_is_too_late(session: Session, world: World) -> None:
    service.open_step(session, **ids(world), step=Step.arbejdsglaede, now=NOW)
    pick = place(session, world, 0, BoardRow.glad)
    take_off(session, world, pick)
    service.open_step(session, **ids(world), step=Step.feedback, now=NOW + timedelta(seconds=1))
    with pytest.raises(DomainError) as error:
        put_back(session, world, pick, NOW + timedelta(seconds=2))
    assert error.value.message.startswith("Too late to undo")


def test_undo_of_another_conversations_card_is_not_found(session: Session, world: World) -> None:
    pick = place(session, world, 0, BoardRow.glad)
    take_off(session, world, pick)
    with pytest.raises(NotFound):
        service.restore_pick(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            pick_id=pick.id or 0,
            now=NOW,
        )


# ---------------------------------------------------------------- undo of a deleted agreement


def agree(session: Session, world: World, text: str, picks: tuple[int, ...] = ()) -> Agreement:
    return service.add_agreement(
        session, **ids(world), data=service.AgreementInput(text, "both", None, "", picks)
    )


def delete(session: Session, world: World, agreement: Agreement, at: datetime = NOW) -> None:
    service.delete_agreement(session, **ids(world), agreement_id=agreement.id or 0, now=at)


def restore(session: Session, world: World, agreement: Agreement, at: datetime) -> Agreement:
    return service.restore_agreement(session, **ids(world), agreement_id=agreement.id or 0, now=at)


def texts(session: Session, world: World) -> list[str]:
    session.expire_all()
    return [a.text for a in service.agreements_of(session, stored(session, world))]


def test_a_deleted_agreement_is_left_out_of_screens_and_records_until_undone(
    session: Session, world: World
) -> None:
    pick = place(session, world, 4, BoardRow.more_glad)
    agree(session, world, "Kursus")
    middle = agree(session, world, "Mere sparring", (pick.id or 0,))
    agree(session, world, "Hjemmearbejde om fredagen")
    delete(session, world, middle)
    delete(session, world, middle)  # a double tap
    assert texts(session, world) == ["Kursus", "Hjemmearbejde om fredagen"]
    record = build_record(session, stored(session, world))
    assert [a["text"] for a in record["agreements"]] == ["Kursus", "Hjemmearbejde om fredagen"]
    restored = restore(session, world, middle, NOW + timedelta(seconds=service.UNDO_SECONDS))
    restore(session, world, middle, NOW + timedelta(seconds=service.UNDO_SECONDS))  # again
    assert restored.id == middle.id
    assert texts(session, world) == ["Kursus", "Mere sparring", "Hjemmearbejde om fredagen"]
    record = build_record(session, stored(session, world))
    assert record["agreements"][1]["cards"] == [world.inspiration_cards[4].title_da]


def test_undo_of_a_delete_after_the_window_is_refused(session: Session, world: World) -> None:
    agreement = agree(session, world, "Kursus")
    delete(session, world, agreement)
    with pytest.raises(DomainError) as error:
        restore(session, world, agreement, NOW + timedelta(seconds=service.UNDO_SECONDS + 1))
    assert error.value.message.startswith("Too late to undo")
    assert texts(session, world) == []


def test_a_deleted_agreement_cannot_be_edited(session: Session, world: World) -> None:
    agreement = agree(session, world, "Kursus")
    delete(session, world, agreement)
    with pytest.raises(NotFound):
        service.edit_agreement(
            session,
            **ids(world),
            agreement_id=agreement.id or 0,
            data=service.AgreementInput("Andet kursus", "both", None, "", ()),
        )


def test_undo_of_the_last_agreement_takes_back_no_agreements_this_time(
    session: Session, world: World
) -> None:
    agreement = agree(session, world, "Kursus")
    delete(session, world, agreement)
    service.set_no_agreements(session, **ids(world), value=True)
    restore(session, world, agreement, NOW + timedelta(seconds=3))
    assert stored(session, world).no_agreements is False
    assert texts(session, world) == ["Kursus"]


@pytest.mark.parametrize("leave", ["next step", "finish"])
def test_deleted_agreements_are_let_go_when_the_step_is_left_or_finished(
    session: Session, world: World, leave: str
) -> None:
    service.open_step(session, **ids(world), step=Step.aftaler, now=NOW)
    kept, deleted = agree(session, world, "Kursus"), agree(session, world, "Slettet")
    delete(session, world, deleted)
    if leave == "finish":
        service.set_status_card(
            session, **ids(world), card_id=world.status_cards[0].id or 0, picked=True
        )
        service.finish_conversation(session, **ids(world), now=NOW + timedelta(seconds=1))
    else:
        service.open_step(session, **ids(world), step=Step.slut, now=NOW + timedelta(seconds=1))
    session.expire_all()
    assert session.get(Agreement, deleted.id) is None
    assert session.get(Agreement, kept.id) is not None
    if leave == "next step":
        with pytest.raises(DomainError) as error:
            restore(session, world, deleted, NOW + timedelta(seconds=2))
        assert error.value.message.startswith("Too late to undo")
