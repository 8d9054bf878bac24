"""The employee's preparation before the conversation (issue 15, DESIGN §1 "Before the
conversation"): the private link, the topics on the agenda, the employee's private notes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow

MAX_TOPIC = 500
MAX_PREPARATION_NOTE = 5000
MAX_TOPICS = 30  # per conversation and source: an agenda, not a mailbox
MAX_NOTES = 20


class TopicSource(StrEnum):
    employee = "employee"
    leader = "leader"


class PreparationLink(SQLModel, table=True):
    """The employee's private preparation page under ``/p/<token>``, no account needed.

    Only the token's SHA-256 is kept, so a copy of the database opens nothing. The token is
    an HMAC of ``nonce`` with the server's secret key: the server can show the same link (and
    write it into the invitation) as long as it is valid, a database alone cannot. One live
    link per conversation; a new one revokes the old."""

    __tablename__ = "preparation_links"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None


class ConversationTopic(SQLModel, table=True):
    """A topic on the conversation's agenda, added by the employee on the preparation page or
    by the leader; the leader ticks it when it was talked about."""

    __tablename__ = "conversation_topics"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default=TopicSource.employee, max_length=20)
    step: str = Field(default="start", max_length=20)
    discussed: bool = False
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class PreparationNote(SQLModel, table=True):
    """The employee's private note: shown on the preparation page only, never to the leader.
    ``brought_at`` is set when the employee brings it into the conversation: it is then
    copied into a topic of the employee's (what the leader sees), the note itself stays
    private and is never shown by any other page or export."""

    __tablename__ = "preparation_notes"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    brought_at: datetime | None = None
