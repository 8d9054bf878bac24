"""The organisation's conversation settings and a conversation's snapshot of them (issue 15,
DESIGN §1, §2)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from app.conversations import guide, views
from app.conversations import service as conversations
from app.errors import DomainError
from app.models import Agreement, BankQuestion, Conversation, Step
from app.settings import defaults
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


def agree(session: Session, world: World, conversation: Conversation, area_id: int) -> Agreement:
    return conversations.add_agreement(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=conversation.id or 0,
        data=conversations.AgreementInput("Kursus", "both", None, "", (), focus_area_id=area_id),
    )


def test_defaults_before_anything_is_stored(session: Session) -> None:
    now = settings.current(session)
    assert dict(now.minutes) == {
        "start": 5,
        "status": 10,
        "arbejdsglaede": 25,
        "feedback": 10,
        "aftaler": 15,
        "slut": 5,
    }
    assert now.intro("da")[0].startswith("Velkommen")
    assert now.intro("en")[0].startswith("Welcome")
    assert len(now.appreciative("en")) >= 3
    for step in Step:
        assert 3 <= len(now.questions(step, "da")) <= 5
        assert len(now.questions(step, "en")) == len(now.questions(step, "da"))


def test_seeding_stores_the_bank_once(session: Session) -> None:
    """The first start stored it (bootstrap); an empty bank is filled once more, no more."""
    assert settings.seed_bank_questions(session) is False
    for question in session.exec(select(BankQuestion)).all():
        session.delete(question)
    session.commit()
    assert settings.seed_bank_questions(session) is True
    count = len(session.exec(select(BankQuestion)).all())
    assert count == sum(len(q) for q in defaults.BANK.values())
    assert settings.seed_bank_questions(session) is False
    assert len(session.exec(select(BankQuestion)).all()) == count


def test_a_planned_conversation_keeps_its_snapshot_when_settings_change(session: Session) -> None:
    world = make_world(session)
    area = settings.add_focus_area(session, name_da="Nærvær", name_en="Presence")
    settings.seed_bank_questions(session)
    conversation = plan(session, world)
    kept = settings.conversation_settings(conversation)
    assert [a.name("da") for a in kept.focus_areas] == ["Nærvær"]

    settings.save_minutes(session, minutes={s: "7" for s in settings.STEP_ORDER}, now=NOW)
    settings.save_texts(
        session,
        intro_da="Ny indledning",
        intro_en="New introduction",
        appreciative_da="Nyt spørgsmål",
        appreciative_en="New question",
        now=NOW,
    )
    settings.edit_focus_area(session, area_id=area.id or 0, name_da="Omdøbt")
    first = settings.bank_questions(session)[0]
    settings.edit_question(session, question_id=first.id or 0, text_da="Ændret", text_en="")
    settings.set_focus_area_archived(session, area_id=area.id or 0, archived=True)

    session.refresh(conversation)
    after = settings.conversation_settings(conversation)
    assert after == kept
    assert after.minutes_for("arbejdsglaede") == 25
    assert after.intro("da")[0].startswith("Velkommen")
    assert after.focus_areas[0].name_da == "Nærvær"
    assert "Ændret" not in after.questions("start", "da")
    page = views.conversation_view(session, conversation, step=Step.start, now=NOW, reopen_days=3)
    assert [item.minutes for item in page.agenda] == [5, 10, 25, 10, 15, 5]

    later = settings.conversation_settings(plan(session, world))
    assert later.minutes_for("arbejdsglaede") == 7
    assert later.intro("en") == ("New introduction",)
    assert later.appreciative("da") == ("Nyt spørgsmål",)
    assert later.focus_areas == ()
    assert "Ændret" in later.questions("start", "da")


def test_a_conversation_without_a_snapshot_reads_the_defaults_in_code(session: Session) -> None:
    world = make_world(session)
    world.conversation.settings_snapshot = None
    settings.save_minutes(session, minutes={s: "9" for s in settings.STEP_ORDER}, now=NOW)
    assert settings.conversation_settings(world.conversation) == settings.built_in()


def test_the_snapshot_is_json_with_what_the_conversation_needs(session: Session) -> None:
    world = make_world(session)
    stored = json.loads(world.conversation.settings_snapshot or "")
    assert set(stored) >= {"intro", "appreciative", "minutes", "focus_areas", "bank"}
    assert stored == settings.conversation_settings(world.conversation).as_dict()


def test_an_archived_area_stays_on_its_agreement_and_is_not_offered_again(
    session: Session,
) -> None:
    world = make_world(session)
    area = settings.add_focus_area(session, name_da="Kvalitet", description_da="Færre fejl")
    conversation = plan(session, world)
    agreement = agree(session, world, conversation, area.id or 0)
    assert (agreement.strategic_area, agreement.focus_area_id) == ("Kvalitet", area.id)

    settings.set_focus_area_archived(session, area_id=area.id or 0, archived=True)
    session.refresh(agreement)
    assert (agreement.strategic_area, agreement.focus_area_id) == ("Kvalitet", area.id)
    assert settings.current(session).focus_areas == ()
    assert settings.conversation_settings(plan(session, world)).focus_areas == ()
    # The conversation planned while it was active still offers it.
    assert agree(session, world, conversation, area.id or 0).strategic_area == "Kvalitet"


def test_an_agreement_refuses_an_area_its_conversation_was_not_planned_with(
    session: Session,
) -> None:
    world = make_world(session)
    area = settings.add_focus_area(session, name_da="Kvalitet")
    with pytest.raises(DomainError, match="offered strategic areas"):
        agree(session, world, world.conversation, area.id or 0)


def test_deleting_a_used_focus_area_is_refused(session: Session) -> None:
    world = make_world(session)
    area = settings.add_focus_area(session, name_da="Kvalitet")
    agree(session, world, plan(session, world), area.id or 0)
    with pytest.raises(DomainError, match="Archive it instead"):
        settings.delete_focus_area(session, area_id=area.id or 0)


def test_an_unused_focus_area_can_be_deleted(session: Session) -> None:
    area = settings.add_focus_area(session, name_da="Kvalitet")
    settings.delete_focus_area(session, area_id=area.id or 0)
    assert settings.current(session).focus_areas == ()


@pytest.mark.parametrize("name", ["", "   "])
def test_a_focus_area_needs_a_name(session: Session, name: str) -> None:
    with pytest.raises(DomainError, match="name"):
        settings.add_focus_area(session, name_da=name, description_da="Uden navn")


def test_a_too_long_name_is_refused(session: Session) -> None:
    with pytest.raises(DomainError, match="too long"):
        settings.add_focus_area(session, name_da="x" * 201)


@pytest.mark.parametrize("minutes", ["0", "500", "121", "-3", "", "ti", "2.5"])
def test_allotments_outside_1_to_120_are_refused(session: Session, minutes: str) -> None:
    typed = {step: "10" for step in settings.STEP_ORDER}
    typed["feedback"] = minutes
    with pytest.raises(DomainError, match="minutes"):
        settings.save_minutes(session, minutes=typed, now=NOW)
    assert settings.current(session).minutes_for("feedback") == 10


def test_allotments_of_1_and_120_are_kept(session: Session) -> None:
    typed = {step: "1" for step in settings.STEP_ORDER} | {"arbejdsglaede": "120"}
    settings.save_minutes(session, minutes=typed, now=NOW)
    assert settings.current(session).minutes_for("arbejdsglaede") == 120
    assert settings.current(session).total_minutes == 125


def test_the_introduction_cannot_be_emptied(session: Session) -> None:
    with pytest.raises(DomainError, match="introduction"):
        settings.save_texts(
            session, intro_da="  ", intro_en="x", appreciative_da="", appreciative_en="", now=NOW
        )


def test_focus_areas_move_among_those_in_use_and_plans_take_the_new_order(
    session: Session,
) -> None:
    quality, green, people = (
        settings.add_focus_area(session, name_da=name) for name in ("Kvalitet", "Grøn", "Folk")
    )
    archived = settings.add_focus_area(session, name_da="Gammel")
    settings.set_focus_area_archived(session, area_id=archived.id or 0, archived=True)

    def order() -> list[str]:
        return [a.name_da for a in settings.current(session).focus_areas]

    assert order() == ["Kvalitet", "Grøn", "Folk"]
    settings.move_focus_area(session, area_id=people.id or 0, up=True)
    assert order() == ["Kvalitet", "Folk", "Grøn"]
    settings.move_focus_area(session, area_id=quality.id or 0, up=False)
    assert order() == ["Folk", "Kvalitet", "Grøn"]
    # At either end it stays; an archived area has no place among them.
    settings.move_focus_area(session, area_id=people.id or 0, up=True)
    settings.move_focus_area(session, area_id=green.id or 0, up=False)
    settings.move_focus_area(session, area_id=archived.id or 0, up=True)
    assert order() == ["Folk", "Kvalitet", "Grøn"]
    # Brought back, it takes its old place (here the end) and can be moved again.
    settings.set_focus_area_archived(session, area_id=archived.id or 0, archived=False)
    assert order()[-1] == "Gammel"
    settings.move_focus_area(session, area_id=archived.id or 0, up=True)
    assert order() == ["Folk", "Kvalitet", "Gammel", "Grøn"]


def test_bank_questions_are_added_ordered_and_deactivated(session: Session) -> None:
    added = settings.add_question(session, step="status", text_da="Hvad nu?", text_en="What now?")
    status = [q for q in settings.bank_questions(session) if q.step == "status"]
    assert status[-1].id == added.id and len(status) == len(defaults.BANK[Step.status]) + 1
    settings.move_question(session, question_id=added.id or 0, up=True)
    status = [q for q in settings.bank_questions(session) if q.step == "status"]
    assert status[-2].id == added.id
    settings.set_question_active(session, question_id=added.id or 0, active=False)
    assert "Hvad nu?" not in settings.current(session).questions("status", "da")
    with pytest.raises(DomainError):
        settings.add_question(session, step="status", text_da=" ")
    with pytest.raises(DomainError):
        settings.add_question(session, step="nowhere", text_da="Hvad?")


def test_default_decks_must_be_published_and_of_the_right_purpose(session: Session) -> None:
    world = make_world(session)
    status_deck = world.status_cards[0].deck_id
    inspiration_deck = world.inspiration_cards[0].deck_id
    with pytest.raises(DomainError, match="offered card decks"):
        settings.save_default_decks(
            session, status_deck_id=inspiration_deck, inspiration_deck_id=None, now=NOW
        )
    settings.save_default_decks(
        session, status_deck_id=status_deck, inspiration_deck_id=inspiration_deck, now=NOW
    )
    assert settings.default_deck_ids(session) == {
        "status": status_deck,
        "inspiration": inspiration_deck,
    }


def test_the_guide_has_prompts_for_every_step_and_appreciative_questions_at_feedback(
    session: Session,
) -> None:
    kept = settings.current(session)
    for step in Step:
        shown = guide.guide(kept, step, "en")
        assert 1 <= len(shown.prompts) <= 3
        assert shown.questions == kept.questions(step, "en")
        assert bool(shown.appreciative) == (step == Step.feedback)
