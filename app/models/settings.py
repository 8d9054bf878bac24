"""The organisation's conversation settings (DESIGN §2, facilitators): strategic focus areas,
the texts read and asked in the conversation, the question bank, time allotments and the
default decks. A conversation keeps a snapshot of them from when it was planned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow

MAX_AREA_NAME = 200
MAX_DESCRIPTION = 2000
MAX_QUESTION = 500
MAX_TEXT = 5000


class FocusArea(SQLModel, table=True):
    """A strategic focus area of the organisation. Archived, not deleted, once an agreement
    points to it: the agreement and its record keep it."""

    __tablename__ = "focus_areas"

    id: int | None = Field(default=None, primary_key=True)
    name_da: str = Field(max_length=MAX_AREA_NAME)
    name_en: str = Field(default="", max_length=MAX_AREA_NAME)
    description_da: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    archived: bool = False
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_da


class ConversationText(SQLModel, table=True):
    """One setting of the organisation's conversation, by key (``intro_da``, ``minutes_start``,
    ``status_deck_id``…). A key that is not stored has its default in app.settings."""

    __tablename__ = "conversation_texts"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class BankQuestion(SQLModel, table=True):
    """A question the leader may ask at a step, in Danish and English. Deactivated, never
    deleted: a conversation's snapshot may still show it."""

    __tablename__ = "bank_questions"

    id: int | None = Field(default=None, primary_key=True)
    step: str = Field(max_length=20, index=True)
    text_da: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
