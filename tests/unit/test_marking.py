"""The leader individualises a conversation before it (issue 15, DESIGN §1): questions chosen
from the conversation's snapshot of the bank, the important ones marked, focus areas picked;
and the employee's choice to share their suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from app.conversations import guide, marking
from app.conversations import service as conversations
from app.errors import DomainError, NotFound
from app.models import Conversation, ConversationStatus, Step
from app.records.service import build_record
from app.settings import service as settings
from tests.conversation_fixtures import World, make_world

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def plan(session: Session, world: World) -> Conversation:
    return conversations.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="Anden medarbejder",
        on=date(2026, 12, 2),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )


@pytest.fixture
def world(session: Session) -> World:
    world = make_world(session)
    settings.seed_bank_questions(session)
    return world


def save(
    session: Session,
    world: World,
    conversation: Conversation,
    questions: tuple[str, ...] = (),
    marked: tuple[str, ...] = (),
    areas: tuple[int, ...] = (),
) -> None:
    marking.save_preparation(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=conversation.id or 0,
        questions=questions,
        marked=marked,
        focus_area_ids=areas,
    )


def test_chosen_questions_keep_their_text_when_the_bank_is_edited(
    session: Session, world: World
) -> None:
    conversation = plan(session, world)
    bank = settings.conversation_settings(conversation).bank["status"]
    save(session, world, conversation, questions=("status:1",), marked=("status:0",))
    for question in settings.bank_questions(session):
        settings.edit_question(
            session, question_id=question.id or 0, text_da="Ændret", text_en="Changed"
        )
    chosen = marking.chosen_questions(session, conversation)
    assert [(q.step, q.text_da, q.marked) for q in chosen] == [
        ("status", bank[0].text_da, True),
        ("status", bank[1].text_da, False),
    ]
    assert chosen[0].text("en") == bank[0].text_en


def test_marked_questions_are_only_the_marked_ones_in_step_order(
    session: Session, world: World
) -> None:
    conversation = plan(session, world)
    bank = settings.conversation_settings(conversation).bank
    save(
        session,
        world,
        conversation,
        questions=("start:0", "slut:0", "feedback:1"),
        marked=("slut:0", "status:2"),
    )
    assert [(q.step, q.text_da) for q in marking.marked_questions(session, conversation)] == [
        ("status", bank["status"][2].text_da),
        ("slut", bank["slut"][0].text_da),
    ]
    # Saving again replaces the choice: unmarked, and one question no longer chosen.
    save(session, world, conversation, questions=("start:0", "status:2"))
    assert marking.marked_questions(session, conversation) == []
    assert [q.step for q in marking.chosen_questions(session, conversation)] == [
        "start",
        "status",
    ]


def test_a_focus_area_archived_after_it_was_chosen_stays_on_the_conversation(
    session: Session, world: World
) -> None:
    area = settings.add_focus_area(session, name_da="Nærvær", name_en="Presence")
    other = settings.add_focus_area(session, name_da="Grøn omstilling")
    conversation = plan(session, world)
    save(session, world, conversation, areas=(other.id or 0, area.id or 0))
    settings.edit_focus_area(session, area_id=area.id or 0, name_da="Omdøbt")
    settings.set_focus_area_archived(session, area_id=area.id or 0, archived=True)
    chosen = marking.chosen_focus_areas(session, conversation)
    assert [(a.name("da"), a.name("en")) for a in chosen] == [
        ("Grøn omstilling", "Grøn omstilling"),
        ("Nærvær", "Presence"),
    ]
    assert build_record(session, conversation)["focus_areas"] == ["Grøn omstilling", "Nærvær"]


@pytest.mark.parametrize("key", ["status:99", "nowhere:0", "status", "status:-1", "status:x"])
def test_a_question_outside_the_snapshot_is_refused(
    session: Session, world: World, key: str
) -> None:
    conversation = plan(session, world)
    with pytest.raises(DomainError, match="questions offered"):
        save(session, world, conversation, questions=(key,))
    with pytest.raises(DomainError, match="questions offered"):
        save(session, world, conversation, marked=(key,))
    assert marking.chosen_questions(session, conversation) == []


def test_a_focus_area_added_after_planning_is_refused(session: Session, world: World) -> None:
    conversation = plan(session, world)
    late = settings.add_focus_area(session, name_da="Efter planlægningen")
    with pytest.raises(DomainError, match="focus areas offered"):
        save(session, world, conversation, areas=(late.id or 0,))
    assert marking.chosen_focus_areas(session, conversation) == []


def test_another_leader_cannot_prepare_the_conversation(session: Session, world: World) -> None:
    conversation = plan(session, world)
    with pytest.raises(NotFound):
        marking.save_preparation(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=conversation.id or 0,
            questions=("start:0",),
            marked=(),
            focus_area_ids=(),
        )
    assert marking.chosen_questions(session, conversation) == []


def test_a_finished_conversation_cannot_be_prepared(session: Session, world: World) -> None:
    conversation = plan(session, world)
    conversation.status = ConversationStatus.completed
    session.add(conversation)
    session.commit()
    with pytest.raises(DomainError, match="finished"):
        save(session, world, conversation, questions=("start:0",))


def test_the_guide_shows_the_chosen_questions_first_the_marked_ones_before_the_rest(
    session: Session, world: World
) -> None:
    conversation = plan(session, world)
    kept = settings.conversation_settings(conversation)
    bank = [q.text_da for q in kept.bank["status"]]
    save(session, world, conversation, questions=("status:0",), marked=("status:2",))
    shown = guide.guide(kept, Step.status, "da", marking.chosen_questions(session, conversation))
    assert [(q.text, q.marked) for q in shown.chosen] == [(bank[2], True), (bank[0], False)]
    assert list(shown.questions) == [q for i, q in enumerate(bank) if i not in (0, 2)]
    assert (
        guide.guide(kept, Step.start, "da", marking.chosen_questions(session, conversation)).chosen
        == ()
    )


def test_suggestions_are_shareable_only_when_ticked(session: Session, world: World) -> None:
    conversation = world.conversation
    record = build_record(session, conversation)
    assert record["feedback"]["suggestions_shareable"] is False
    assert record["focus_areas"] == []
    for value in (True, True, False, True):
        conversations.set_suggestions_shareable(
            session,
            leader_id=world.leader.id or 0,
            conversation_id=conversation.id or 0,
            shareable=value,
        )
    session.refresh(conversation)
    assert conversation.suggestions_shareable is True
    assert build_record(session, conversation)["feedback"]["suggestions_shareable"] is True
    with pytest.raises(NotFound):
        conversations.set_suggestions_shareable(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=conversation.id or 0,
            shareable=False,
        )
