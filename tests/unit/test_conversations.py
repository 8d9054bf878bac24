"""The rules of DESIGN §1, each enforced by the service with a clear message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.conversations import service
from app.errors import DomainError, NotFound
from app.models import BoardRow, Conversation, ConversationStatus, Pick, Step
from app.records.service import build_record
from tests.conversation_fixtures import World, make_world

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def ids(world: World) -> dict[str, int]:
    return {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}


def pick_status(session: Session, world: World, index: int, picked: bool = True) -> Pick | None:
    return service.set_status_card(
        session, **ids(world), card_id=world.status_cards[index].id or 0, picked=picked
    )


def place(session: Session, world: World, index: int, row: BoardRow) -> Pick:
    return service.place_card(
        session, **ids(world), card_id=world.inspiration_cards[index].id or 0, row=row
    )


def active(session: Session, world: World, row: str) -> list[Pick]:
    return [
        p
        for p in session.exec(select(Pick).where(Pick.conversation_id == world.conversation.id))
        if p.row == row and not p.removed
    ]


def test_new_conversation_defaults(world: World) -> None:
    conversation = world.conversation
    assert conversation.status == ConversationStatus.planned
    assert conversation.current_step == Step.start
    assert conversation.follow_up_date == date(2027, 6, 1)


def test_employee_is_found_again_by_name(session: Session, world: World) -> None:
    again = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="  medarbejder ",
        on=date(2027, 6, 1),
        language="en",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    assert again.employee_id == world.conversation.employee_id
    assert len(service.employees_of(session, leader_id=world.leader.id or 0)) == 1


def test_pick_status_card_keeps_a_snapshot(session: Session, world: World) -> None:
    pick = pick_status(session, world, 0)
    assert pick is not None
    card = world.status_cards[0]
    assert (pick.title_da, pick.title_en, pick.image_sha256) == (
        card.title_da,
        card.title_en,
        card.image_sha256,
    )
    assert world.conversation.status == ConversationStatus.running


def test_set_status_card_refuses_a_fourth_card(session: Session, world: World) -> None:
    for index in range(3):
        pick_status(session, world, index)
    with pytest.raises(DomainError) as error:
        pick_status(session, world, 3)
    assert "at most" in error.value.message
    assert len(active(session, world, "status")) == 3


def test_double_tap_on_a_status_card_picks_it_once(session: Session, world: World) -> None:
    pick_status(session, world, 0)
    pick_status(session, world, 0)
    assert len(active(session, world, "status")) == 1


def test_unpicked_card_keeps_its_note_until_the_step_is_left(
    session: Session, world: World
) -> None:
    pick = pick_status(session, world, 0)
    assert pick
    service.set_pick_note(session, **ids(world), pick_id=pick.id or 0, note="Som en solopgang")
    pick_status(session, world, 0, picked=False)
    again = pick_status(session, world, 0)
    assert again and again.id == pick.id and again.note == "Som en solopgang"
    pick_status(session, world, 0, picked=False)
    service.open_step(session, **ids(world), step=Step.status, now=NOW)
    service.open_step(session, **ids(world), step=Step.arbejdsglaede, now=NOW)
    fresh = pick_status(session, world, 0)
    assert fresh and fresh.note == ""


def test_place_card_refuses_fourth_card_in_row(session: Session, world: World) -> None:
    for index in range(3):
        place(session, world, index, BoardRow.glad)
    with pytest.raises(DomainError) as error:
        place(session, world, 3, BoardRow.glad)
    assert error.value.params == {"n": 3}


def test_a_card_appears_once_on_the_board(session: Session, world: World) -> None:
    place(session, world, 0, BoardRow.glad)
    place(session, world, 0, BoardRow.glad)  # a double tap: nothing new
    with pytest.raises(DomainError):
        place(session, world, 0, BoardRow.less_glad)
    assert len(active(session, world, BoardRow.glad)) == 1


def test_move_and_remove_picks(session: Session, world: World) -> None:
    pick = place(session, world, 0, BoardRow.glad)
    service.move_pick(session, **ids(world), pick_id=pick.id or 0, row=BoardRow.more_glad)
    assert [p.id for p in active(session, world, BoardRow.more_glad)] == [pick.id]
    for index in (1, 2, 3):
        place(session, world, index, BoardRow.glad)
    with pytest.raises(DomainError):
        service.move_pick(session, **ids(world), pick_id=pick.id or 0, row=BoardRow.glad)
    service.remove_pick(session, **ids(world), pick_id=pick.id or 0, now=NOW)
    assert active(session, world, BoardRow.more_glad) == []
    # The removed card can go back on the board.
    place(session, world, 0, BoardRow.less_glad)


def test_card_from_another_deck_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        service.place_card(
            session, **ids(world), card_id=world.status_cards[0].id or 0, row=BoardRow.glad
        )
    for card_id in (world.inspiration_cards[0].id or 0, 999_999):
        with pytest.raises(DomainError) as error:
            service.set_status_card(session, **ids(world), card_id=card_id, picked=True)
        assert "deck" in error.value.message
    retired = world.status_cards[1]
    retired.retired_at = NOW
    session.add(retired)
    session.commit()
    with pytest.raises(DomainError):
        pick_status(session, world, 1)


def test_first_tap_starts_the_conversation_and_each_change_bumps_the_revision(
    session: Session, world: World
) -> None:
    start = world.conversation.revision
    pick_status(session, world, 0)
    pick_status(session, world, 0)  # a double tap: no change, no bump
    pick_status(session, world, 0, picked=False)
    session.expire_all()
    stored = session.get(Conversation, world.conversation.id)
    assert stored is not None
    assert stored.status == ConversationStatus.running
    assert stored.revision == start + 2


def test_note_has_a_clear_limit_and_html_is_kept_as_text(session: Session, world: World) -> None:
    pick = pick_status(session, world, 0)
    assert pick
    with pytest.raises(DomainError) as error:
        service.set_pick_note(session, **ids(world), pick_id=pick.id or 0, note="x" * 20_000)
    assert error.value.params == {"limit": 5000, "n": 20_000}
    service.set_pick_note(session, **ids(world), pick_id=pick.id or 0, note="<b>fed</b>")
    session.refresh(pick)
    assert pick.note == "<b>fed</b>"


def test_agreement_needs_text_and_owner(session: Session, world: World) -> None:
    for text, owner in (("  ", "employee"), ("Kursus", ""), ("Kursus", "chef")):
        with pytest.raises(DomainError):
            service.add_agreement(
                session,
                **ids(world),
                data=service.AgreementInput(text, owner, None, "", ()),
            )
    agreement = service.add_agreement(
        session,
        **ids(world),
        data=service.AgreementInput("Kursus", "both", date(2027, 3, 1), "Læring", ()),
    )
    assert agreement.id


def test_double_submit_saves_one_agreement(session: Session, world: World) -> None:
    data = service.AgreementInput("Kursus", "employee", None, "", ())
    first = service.add_agreement(session, **ids(world), data=data, token="t-1")
    second = service.add_agreement(session, **ids(world), data=data, token="t-1")
    assert first.id == second.id
    assert len(service.agreements_of(session, world.conversation)) == 1


def test_agreement_links_the_cards_it_grew_from(session: Session, world: World) -> None:
    pick = place(session, world, 4, BoardRow.more_glad)
    service.add_agreement(
        session,
        **ids(world),
        data=service.AgreementInput("Mere sparring", "leader", None, "", (pick.id or 0,)),
    )
    record = build_record(session, world.conversation)
    assert record["agreements"][0]["cards"] == [world.inspiration_cards[4].title_da]


def test_finish_needs_status_cards_and_agreements(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        service.finish_conversation(session, **ids(world), now=NOW)
    pick_status(session, world, 0)
    with pytest.raises(DomainError):
        service.finish_conversation(session, **ids(world), now=NOW)
    service.set_no_agreements(session, **ids(world), value=True)
    finished = service.finish_conversation(session, **ids(world), now=NOW)
    assert finished.status == ConversationStatus.completed


def test_completed_conversation_is_read_only(session: Session, world: World) -> None:
    pick = pick_status(session, world, 0)
    service.set_no_agreements(session, **ids(world), value=True)
    service.finish_conversation(session, **ids(world), now=NOW)
    with pytest.raises(DomainError) as error:
        pick_status(session, world, 1)
    assert "finished" in error.value.message
    with pytest.raises(DomainError):
        service.set_pick_note(session, **ids(world), pick_id=pick.id or 0, note="ny")  # type: ignore[union-attr]
    with pytest.raises(DomainError):
        service.set_feedback(session, **ids(world), field="learned", text="ny")


def test_another_leaders_conversation_is_not_found(session: Session, world: World) -> None:
    # Someone else's conversation answers exactly like one that does not exist.
    for leader_id, conversation_id in (
        (world.other_leader.id or 0, world.conversation.id or 0),
        (world.leader.id or 0, 999_999),
    ):
        with pytest.raises(NotFound):
            service.set_status_card(
                session,
                leader_id=leader_id,
                conversation_id=conversation_id,
                card_id=world.status_cards[0].id or 0,
                picked=True,
            )


def test_stale_page_is_told_to_reload_but_its_own_writes_are_not(
    session: Session, world: World
) -> None:
    seen = world.conversation.revision
    service.set_status_card(
        session,
        **ids(world),
        card_id=world.status_cards[0].id or 0,
        picked=True,
        revision=seen,
        client="tablet",
    )
    # The same tab, still holding the old revision (a second tap before the first answer).
    service.set_status_card(
        session,
        **ids(world),
        card_id=world.status_cards[1].id or 0,
        picked=True,
        revision=seen,
        client="tablet",
    )
    with pytest.raises(DomainError) as error:
        service.set_status_card(
            session,
            **ids(world),
            card_id=world.status_cards[2].id or 0,
            picked=True,
            revision=seen,
            client="phone",
        )
    assert error.value.status_code == 409


def test_time_is_counted_per_step_from_opening_and_leaving(session: Session, world: World) -> None:
    service.open_step(session, **ids(world), step=Step.start, now=NOW)
    service.start_conversation(session, **ids(world), now=NOW)
    service.open_step(session, **ids(world), step=Step.status, now=NOW + timedelta(minutes=4))
    later = NOW + timedelta(minutes=16)
    spent = service.seconds_per_step(session, world.conversation, later)
    assert spent["start"] == 4 * 60 and spent["status"] == 12 * 60
    # A reload of the same step changes nothing.
    service.open_step(session, **ids(world), step=Step.status, now=later)
    assert service.seconds_per_step(session, world.conversation, later)["status"] == 12 * 60


def test_a_planned_conversations_clock_waits_for_start_conversation(
    session: Session, world: World
) -> None:
    # The leader opens the planned conversation to look at it, and goes away for a while.
    service.open_step(session, **ids(world), step=Step.start, now=NOW)
    looked = NOW + timedelta(minutes=20)
    service.open_step(session, **ids(world), step=Step.start, now=looked)  # a reload
    assert set(service.seconds_per_step(session, world.conversation, looked).values()) == {0}
    assert world.conversation.status == ConversationStatus.planned
    service.start_conversation(session, **ids(world), now=looked)
    service.start_conversation(session, **ids(world), now=looked + timedelta(minutes=1))
    spent = service.seconds_per_step(session, world.conversation, looked + timedelta(minutes=5))
    assert spent["start"] == 5 * 60
    assert world.conversation.status == ConversationStatus.running


def test_the_first_change_of_step_starts_a_planned_conversations_clock(
    session: Session, world: World
) -> None:
    service.open_step(session, **ids(world), step=Step.start, now=NOW)
    service.open_step(session, **ids(world), step=Step.status, now=NOW + timedelta(minutes=10))
    assert world.conversation.status == ConversationStatus.running
    spent = service.seconds_per_step(session, world.conversation, NOW + timedelta(minutes=13))
    assert (spent["start"], spent["status"]) == (0, 3 * 60)


def test_previous_agreements_are_reviewed_in_the_next_conversation(
    session: Session, world: World
) -> None:
    pick_status(session, world, 0)
    first = service.add_agreement(
        session, **ids(world), data=service.AgreementInput("Kursus", "employee", None, "", ())
    )
    service.finish_conversation(session, **ids(world), now=NOW)
    nxt = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Medarbejder",
        on=date(2027, 6, 1),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    assert [a.id for a in service.previous_agreements(session, nxt)] == [first.id]
    service.review_agreement(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=nxt.id or 0,
        agreement_id=first.id or 0,
        status="partly",
        comment="Halvdelen af kurset",
    )
    record = build_record(session, nxt)
    assert record["previous_agreements"][0]["status"] == "partly"
    assert record["previous_agreements"][0]["follow_up_comment"] == "Halvdelen af kurset"


def test_record_holds_exactly_what_was_said(session: Session, world: World) -> None:
    status = pick_status(session, world, 1)
    assert status
    service.set_pick_note(session, **ids(world), pick_id=status.id or 0, note="Travlt")
    glad = place(session, world, 2, BoardRow.glad)
    service.set_pick_note(session, **ids(world), pick_id=glad.id or 0, note="Kollegerne")
    service.set_row_note(session, **ids(world), row=BoardRow.less_glad, note="Møder")
    service.set_feedback(session, **ids(world), field="to_leader", text="Mere tid")
    record = build_record(session, world.conversation)
    assert record["schema"] == "arbejdsglaede.record/1"
    assert record["conversation"]["employee"]["name"] == "Medarbejder"
    assert record["conversation"]["leader"]["name"] == "Leder"
    assert record["conversation"]["date"] == "2026-12-01"
    assert record["status_cards"] == [
        {
            "title": world.status_cards[1].title_da,
            "alt": world.status_cards[1].title_da,
            "note": "Travlt",
            "image_sha256": world.status_cards[1].image_sha256,
        }
    ]
    assert [c["note"] for c in record["board"]["glad"]] == ["Kollegerne"]
    assert record["board"]["less_glad"] == [] and record["board_notes"]["less_glad"] == "Møder"
    assert record["feedback"]["to_leader"] == "Mere tid"
    assert set(record["feedback"]) == {
        "to_employee",
        "to_leader",
        "went_well",
        "learned",
        "suggestions",
        "suggestions_shareable",
    }
    assert record["feedback"]["suggestions_shareable"] is False
