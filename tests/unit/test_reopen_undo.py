"""Nothing final by accident (issue 13): Finish once, reopen for corrections, undo a removal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.conversations import service
from app.models import Conversation, ConversationStatus
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
    assert conversation.completed_at == NOW
    assert conversation.corrected_at is None
