from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, Text
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
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime | None = None
    published_at: datetime | None = None
    archived_at: datetime | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_da


class Card(SQLModel, table=True):
    """A card as it is now, or an earlier version of it. A row is never deleted, and once any
    other table refers to it (a conversation's pick), its content never changes: an edit makes
    a new version (``previous_id`` points back) and retires this one (``retired_at``)."""

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
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    previous_id: int | None = Field(default=None, foreign_key="cards.id")
    # Removed from the deck or replaced by a newer version; kept for the records that used it.
    retired_at: datetime | None = Field(default=None, index=True)
    is_cover: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_da

    def alt(self, lang: str) -> str:
        text = self.alt_en if lang == "en" else self.alt_da
        return text or self.title(lang)


class UploadStatus(StrEnum):
    processing = "processing"
    refused = "refused"
    imported = "imported"


class DeckUpload(SQLModel, table=True):
    """An upload being checked, or refused and waiting to be fixed (DESIGN §3: all or nothing).
    Its valid files stay here, already processed, so only a bad file needs uploading again;
    the whole upload is purged when it expires."""

    __tablename__ = "deck_uploads"

    id: int | None = Field(default=None, primary_key=True)
    # The upload's address, random: the upload page knows it before the files arrive, so the
    # browser can follow the processing while the request is still running.
    key: str = Field(max_length=64, unique=True, index=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=200)
    status: str = Field(default=UploadStatus.processing, max_length=20)
    manifest_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    total: int = 0
    done: int = 0
    # A problem with the upload as a whole (not a zip, too many entries…): msgid and params.
    problem: str | None = Field(default=None, max_length=500)
    problem_params: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    deck_id: int | None = Field(default=None, foreign_key="decks.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class DeckUploadFile(SQLModel, table=True):
    """One file of an upload: processed (``image_sha256``) or refused (``problem``)."""

    __tablename__ = "deck_upload_files"

    id: int | None = Field(default=None, primary_key=True)
    upload_id: int = Field(foreign_key="deck_uploads.id", index=True)
    position: int = 0
    # The name in the zip or on the facilitator's computer: shown, matched with deck.toml,
    # never used as a path.
    name: str = Field(max_length=200)
    size: int = 0
    image_sha256: str | None = Field(default=None, max_length=64)
    # True when the bytes were an image (or a variant) already stored: nothing to keep here.
    known_image: bool = False
    width: int = 0
    height: int = 0
    problem: str | None = Field(default=None, max_length=500)
    problem_params: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Things done to the file that the facilitator should know (first frame of an animation).
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class DeckUploadVariant(SQLModel, table=True):
    """A processed WebP variant of a staged file, copied to ``image_variants`` on import."""

    __tablename__ = "deck_upload_variants"

    id: int | None = Field(default=None, primary_key=True)
    file_id: int = Field(foreign_key="deck_upload_files.id", index=True)
    width: int
    height: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
