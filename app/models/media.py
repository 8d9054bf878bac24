from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Image(SQLModel, table=True):
    """A source image, named by the sha256 of the bytes it was made from."""

    __tablename__ = "images"

    sha256: str = Field(primary_key=True, max_length=64)
    width: int
    height: int
    created_at: datetime = Field(default_factory=utcnow)


class ImageVariant(SQLModel, table=True):
    """A WebP rendition of an image, named by the sha256 of its own bytes."""

    __tablename__ = "image_variants"

    sha256: str = Field(primary_key=True, max_length=64)
    image_sha256: str = Field(foreign_key="images.sha256", index=True, max_length=64)
    width: int
    height: int
    media_type: str = Field(default="image/webp", max_length=40)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
