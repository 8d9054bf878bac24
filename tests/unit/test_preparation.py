"""The employee's preparation link and the agenda's topics (issue 15): the link's lifecycle
(expires after the meeting day, revoked, replaced), topics and private notes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from app.conversations import service, topics
from app.errors import DomainError, NotFound
from app.models import AuditEvent, ConversationStatus, PreparationLink
from app.records import preparation
from app.records.service import build_record
from tests.conversation_fixtures import World, make_world

# The world's conversation is on 1 December 2026; the day ends at 23:00 UTC (CET is UTC+1).
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
END_OF_DAY = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
KEY = "k" * 40
KEYS = (KEY,)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def link(session: Session, world: World, now: datetime = NOW) -> tuple[PreparationLink, str]:
    made = preparation.create_link(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=world.conversation.id or 0,
        now=now,
        keys=KEYS,
    )
    return made, preparation.token_for(made, KEY)


def test_the_link_works_until_the_end_of_the_meeting_day_in_copenhagen(
    session: Session, world: World
) -> None:
    made, token = link(session, world)
    assert made.expires_at.replace(tzinfo=UTC) == END_OF_DAY
    found, conversation = preparation.find(session, token, END_OF_DAY - timedelta(seconds=1))
    assert (found.id, conversation.id) == (made.id, world.conversation.id)
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, token, END_OF_DAY)


def test_a_late_meeting_keeps_its_link_until_two_hours_after_it_ends(
    session: Session, world: World
) -> None:
    world.conversation.starts_at = time(22, 30)
    world.conversation.duration_minutes = 90
    expected = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 22:30 + 90 min + 2 h = 02:00 CET
    assert preparation.expiry(world.conversation) == expected


def test_only_the_hash_of_the_token_is_stored(session: Session, world: World) -> None:
    made, token = link(session, world)
    stored = session.exec(select(PreparationLink)).one()
    assert token not in (stored.token_hash, stored.nonce)
    assert stored.token_hash == preparation.token_hash(token)
    # The same key shows the same link again; another key (another server) makes another.
    assert preparation.live_token(session, world.conversation.id or 0, NOW, KEYS) == token
    assert preparation.token_for(made, "x" * 40) != token


def test_a_revoked_link_stops_working(session: Session, world: World) -> None:
    _, token = link(session, world)
    preparation.revoke_link(
        session, leader_id=world.leader.id or 0, conversation_id=world.conversation.id or 0, now=NOW
    )
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, token, NOW)
    assert preparation.live_token(session, world.conversation.id or 0, NOW, KEYS) is None


def test_a_new_link_replaces_the_old(session: Session, world: World) -> None:
    _, old = link(session, world)
    _, new = link(session, world)
    assert old != new
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, old, NOW)
    preparation.find(session, new, NOW)


def test_ensure_link_shows_the_live_link_again(session: Session, world: World) -> None:
    ids = {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}
    first = preparation.ensure_link(session, **ids, now=NOW, keys=KEYS)
    again = preparation.ensure_link(session, **ids, now=NOW, keys=KEYS)
    assert first.id == again.id


def test_after_a_key_change_the_link_is_shown_again_while_its_key_is_named_as_previous(
    session: Session, world: World
) -> None:
    ids = {"leader_id": world.leader.id or 0, "conversation_id": world.conversation.id or 0}
    made, token = link(session, world)
    new_key = "n" * 40
    # The employee's link is the same, shown again by the previous key, never a new token that
    # opens nothing.
    assert preparation.live_token(session, ids["conversation_id"], NOW, (new_key, KEY)) == token
    assert preparation.ensure_link(session, **ids, now=NOW, keys=(new_key, KEY)).id == made.id
    # With the old key gone, the link still opens for whoever has it, but cannot be shown:
    # the leader is offered a new link instead of one that would not open.
    assert preparation.live_token(session, ids["conversation_id"], NOW, (new_key,)) is None
    view = preparation.link_view(
        session, **ids, now=NOW, keys=(new_key,), url_for_token=str, qr_title="QR"
    )
    assert view.url is None and view.expires_at is None and view.is_planned
    preparation.find(session, token, NOW)
    fresh = preparation.ensure_link(session, **ids, now=NOW, keys=(new_key,))
    assert fresh.id != made.id
    fresh_token = preparation.live_token(session, ids["conversation_id"], NOW, (new_key,))
    assert fresh_token == preparation.token_for(fresh, new_key)
    preparation.find(session, fresh_token, NOW)
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, token, NOW)


@pytest.mark.parametrize("token", ["", "abc", "a" * 16, "A" * 200, "ø" * 16, "../../etc/passwd"])
def test_an_unknown_token_is_gone(session: Session, world: World, token: str) -> None:
    link(session, world)
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, token, NOW)


def test_another_leader_cannot_make_a_link(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        preparation.create_link(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            now=NOW,
            keys=KEYS,
        )


def test_no_link_for_a_conversation_that_has_begun(session: Session, world: World) -> None:
    service.start_conversation(
        session, leader_id=world.leader.id or 0, conversation_id=world.conversation.id or 0, now=NOW
    )
    with pytest.raises(DomainError):
        link(session, world)


def test_no_link_after_the_meeting_day(session: Session, world: World) -> None:
    with pytest.raises(DomainError):
        link(session, world, now=END_OF_DAY + timedelta(hours=1))


def test_a_cancelled_conversation_closes_its_link(session: Session, world: World) -> None:
    _, token = link(session, world)
    world.conversation.status = ConversationStatus.cancelled
    session.add(world.conversation)
    session.commit()
    with pytest.raises(preparation.PreparationGone):
        preparation.find(session, token, NOW)


def test_a_visit_is_logged_without_content(session: Session, world: World) -> None:
    _, token = link(session, world)
    preparation.visit(session, token=token, now=NOW)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "preparation_viewed")).one()
    assert (event.actor, event.user_id, event.conversation_id) == (
        "preparation_link",
        None,
        world.conversation.id,
    )


def test_the_employees_topic_reaches_the_leader_and_the_record(
    session: Session, world: World
) -> None:
    conversation = world.conversation
    topics.add_employee_topic(
        session, conversation=conversation, text="  Mere   hjemmearbejde ", now=NOW
    )
    topic = topics.add_leader_topic(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=conversation.id or 0,
        text="Ny rolle",
        now=NOW,
    )
    topics.set_discussed(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=conversation.id or 0,
        topic_id=topic.id or 0,
        discussed=True,
    )
    seen = topics.leader_topics(
        session, leader_id=world.leader.id or 0, conversation_id=conversation.id or 0
    )
    assert [(t.text, t.source, t.discussed) for t in seen] == [
        ("Mere hjemmearbejde", "employee", False),
        ("Ny rolle", "leader", True),
    ]
    assert build_record(session, conversation)["topics"] == [
        {"text": "Mere hjemmearbejde", "from": "employee", "discussed": False},
        {"text": "Ny rolle", "from": "leader", "discussed": True},
    ]


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_a_topic_must_have_text_within_the_limit(session: Session, world: World, text: str) -> None:
    with pytest.raises(DomainError):
        topics.add_employee_topic(session, conversation=world.conversation, text=text, now=NOW)


def test_the_employee_cannot_delete_the_leaders_topic_or_another_conversations(
    session: Session, world: World
) -> None:
    leaders = topics.add_leader_topic(
        session,
        leader_id=world.leader.id or 0,
        conversation_id=world.conversation.id or 0,
        text="Leders",
        now=NOW,
    )
    other = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="En anden",
        on=world.conversation.date,
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    others = topics.add_employee_topic(session, conversation=other, text="Andens", now=NOW)
    for topic_id in (leaders.id or 0, others.id or 0, 999999):
        with pytest.raises(NotFound):
            topics.delete_employee_topic(
                session, conversation=world.conversation, topic_id=topic_id
            )


def test_another_leader_cannot_tick_a_topic(session: Session, world: World) -> None:
    topic = topics.add_employee_topic(session, conversation=world.conversation, text="T", now=NOW)
    with pytest.raises(NotFound):
        topics.set_discussed(
            session,
            leader_id=world.other_leader.id or 0,
            conversation_id=world.conversation.id or 0,
            topic_id=topic.id or 0,
            discussed=True,
        )


def test_the_agenda_closes_for_the_employee_when_the_conversation_begins(
    session: Session, world: World
) -> None:
    topic = topics.add_employee_topic(session, conversation=world.conversation, text="T", now=NOW)
    service.start_conversation(
        session, leader_id=world.leader.id or 0, conversation_id=world.conversation.id or 0, now=NOW
    )
    with pytest.raises(DomainError):
        topics.add_employee_topic(session, conversation=world.conversation, text="U", now=NOW)
    with pytest.raises(DomainError):
        topics.delete_employee_topic(
            session, conversation=world.conversation, topic_id=topic.id or 0
        )


def test_a_private_note_stays_out_of_the_record_until_it_is_brought_in(
    session: Session, world: World
) -> None:
    conversation = world.conversation
    note = preparation.add_note(session, conversation=conversation, text="Privat tanke", now=NOW)
    preparation.add_note(session, conversation=conversation, text="Kun til mig", now=NOW)
    assert "Privat tanke" not in str(build_record(session, conversation))
    preparation.bring_note(session, conversation=conversation, note_id=note.id or 0, now=NOW)
    preparation.bring_note(session, conversation=conversation, note_id=note.id or 0, now=NOW)
    record = build_record(session, conversation)
    assert record["topics"] == [{"text": "Privat tanke", "from": "employee", "discussed": False}]
    assert "Kun til mig" not in str(record)


@pytest.mark.parametrize("text", ["", "  ", "x" * 5001])
def test_a_note_must_have_text_within_the_limit(session: Session, world: World, text: str) -> None:
    with pytest.raises(DomainError):
        preparation.add_note(session, conversation=world.conversation, text=text, now=NOW)


def test_a_note_of_another_conversation_is_not_found(session: Session, world: World) -> None:
    note = preparation.add_note(session, conversation=world.conversation, text="N", now=NOW)
    other = service.create_conversation(
        session,
        leader_id=world.leader.id or 0,
        employee_name="En anden",
        on=world.conversation.date,
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    with pytest.raises(NotFound):
        preparation.bring_note(session, conversation=other, note_id=note.id or 0, now=NOW)
    with pytest.raises(NotFound):
        preparation.delete_note(session, conversation=other, note_id=note.id or 0)
