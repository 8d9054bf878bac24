"""Topics on the conversation's agenda (issue 15, DESIGN §1 "Before the conversation"): the
employee adds them on the preparation page, the leader on the Start step; the leader ticks a
topic when it was talked about, and the record lists them.

The employee's side is called by app.records.preparation with a conversation it loaded by a
valid link; the leader's side loads the leader's own conversation, another's is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.conversations.service import own_conversation, own_open_conversation
from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.models import Conversation, ConversationStatus, ConversationTopic, TopicSource
from app.models.preparation import MAX_TOPIC, MAX_TOPICS


@dataclass(frozen=True)
class TopicView:
    id: int
    text: str
    source: str  # "employee" | "leader"
    discussed: bool
    can_delete: bool  # the employee's own, while the conversation is planned


def topics_of(session: Session, conversation_id: int) -> list[ConversationTopic]:
    return list(
        session.exec(
            select(ConversationTopic)
            .where(ConversationTopic.conversation_id == conversation_id)
            .order_by(col(ConversationTopic.position), col(ConversationTopic.id))
        )
    )


def topic_views(session: Session, conversation: Conversation) -> list[TopicView]:
    planned = conversation.status == ConversationStatus.planned
    return [
        TopicView(
            id=t.id or 0,
            text=t.text,
            source=t.source,
            discussed=t.discussed,
            can_delete=planned and t.source == TopicSource.employee,
        )
        for t in topics_of(session, conversation.id or 0)
    ]


def checked_topic(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise DomainError(N_("Write the topic first."))
    if len(text) > MAX_TOPIC:
        raise DomainError(N_("A topic can be at most %(n)d characters."), n=MAX_TOPIC)
    return text


def _add(
    session: Session, conversation: Conversation, *, text: str, source: TopicSource, now: datetime
) -> ConversationTopic:
    text = checked_topic(text)
    count = session.exec(
        select(func.count())
        .select_from(ConversationTopic)
        .where(ConversationTopic.conversation_id == conversation.id)
        .where(ConversationTopic.source == source)
    ).one()
    if count >= MAX_TOPICS:
        raise DomainError(
            N_("The agenda holds at most %(n)d topics from each of you."), n=MAX_TOPICS
        )
    last = session.exec(
        select(func.max(ConversationTopic.position)).where(
            ConversationTopic.conversation_id == conversation.id
        )
    ).one()
    topic = ConversationTopic(
        conversation_id=conversation.id or 0,
        text=text,
        source=source,
        position=(last or 0) + 1,
        created_at=now,
    )
    session.add(topic)
    session.flush()
    return topic


@writes
def add_employee_topic(
    session: Session, *, conversation: Conversation, text: str, now: datetime
) -> ConversationTopic:
    """From the preparation page: the leader sees it at once. Only before the meeting."""
    if conversation.status != ConversationStatus.planned:
        raise DomainError(N_("The conversation has begun: tell your leader the topic instead."))
    return _add(session, conversation, text=text, source=TopicSource.employee, now=now)


@writes
def delete_employee_topic(session: Session, *, conversation: Conversation, topic_id: int) -> None:
    """The employee's own topic, while the conversation is planned; a topic of another
    conversation, or the leader's, is a 404."""
    topic = session.get(ConversationTopic, topic_id)
    if (
        topic is None
        or topic.conversation_id != conversation.id
        or topic.source != TopicSource.employee
    ):
        raise NotFound()
    if conversation.status != ConversationStatus.planned:
        raise DomainError(N_("The conversation has begun: the agenda can no longer be changed."))
    session.delete(topic)


@writes
def add_leader_topic(
    session: Session, *, leader_id: int, conversation_id: int, text: str, now: datetime
) -> ConversationTopic:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    return _add(session, conversation, text=text, source=TopicSource.leader, now=now)


@writes
def set_discussed(
    session: Session, *, leader_id: int, conversation_id: int, topic_id: int, discussed: bool
) -> ConversationTopic:
    """Ticked when the pair talked about it; a second tap with the same value changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    topic = session.get(ConversationTopic, topic_id)
    if topic is None or topic.conversation_id != conversation.id:
        raise NotFound()
    topic.discussed = discussed
    session.add(topic)
    return topic


def leader_topics(session: Session, *, leader_id: int, conversation_id: int) -> list[TopicView]:
    return topic_views(session, own_conversation(session, leader_id, conversation_id))
