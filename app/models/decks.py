from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.clock import utcnow


class DeckPurpose(StrEnum):
    status = "status"
    inspiration = "inspiration"


class DeckStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Deck(SQLModel, table=True):
    __tablename__ = "decks"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_da: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    purpose: str = Field(max_length=20)
    language: str = Field(default="da", max_length=5)
    licence: str = Field(default="", max_length=200)
    attribution: str = Field(default="", max_length=1000)
    status: str = Field(default=DeckStatus.published, max_length=20)
    is_default: bool = False
    # The manifest's hash for a default deck, so a restart loads nothing twice.
    source_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_da


class Card(SQLModel, table=True):
    __tablename__ = "cards"

    id: int | None = Field(default=None, primary_key=True)
    deck_id: int = Field(foreign_key="decks.id", index=True)
    position: int = 0
    file_name: str = Field(max_length=200)
    title_da: str = Field(max_length=200)
    title_en: str = Field(default="", max_length=200)
    alt_da: str = Field(default="", max_length=500)
    alt_en: str = Field(default="", max_length=500)
    theme: str = Field(default="", max_length=80)
    image_sha256: str = Field(foreign_key="images.sha256", max_length=64)
    source: str = Field(default="", max_length=500)
    author: str = Field(default="", max_length=200)
    licence: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_da

    def alt(self, lang: str) -> str:
        text = self.alt_en if lang == "en" else self.alt_da
        return text or self.title(lang)
