"""Content-addressed image storage in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.db import engine_of
from app.media.pipeline import ProcessedImage
from app.models import Image, ImageVariant


@dataclass(frozen=True)
class VariantRef:
    sha256: str
    width: int
    height: int


def store_image(session: Session, processed: ProcessedImage) -> Image:
    """Add the image and its variants unless they are already stored; the caller commits."""
    image = session.get(Image, processed.sha256)
    if image is not None:
        return image
    image = Image(sha256=processed.sha256, width=processed.width, height=processed.height)
    session.add(image)
    for variant in processed.variants:
        if session.get(ImageVariant, variant.sha256) is None:
            session.add(
                ImageVariant(
                    sha256=variant.sha256,
                    image_sha256=processed.sha256,
                    width=variant.width,
                    height=variant.height,
                    size=len(variant.data),
                    data=variant.data,
                )
            )
    return image


# An image's variants never change once stored (images are content-addressed and never
# deleted), so every process keeps what it has read, per database: a tap then needs no query
# for the pictures it shows.
_known_variants: WeakKeyDictionary[Engine, dict[str, tuple[VariantRef, ...]]] = WeakKeyDictionary()
KNOWN_VARIANTS_LIMIT = 20_000


def variants_of(session: Session, image_shas: Iterable[str]) -> dict[str, list[VariantRef]]:
    """Variants per image, smallest first, without loading the image bytes."""
    known = _known_variants.setdefault(engine_of(session), {})
    shas = set(image_shas)
    found: dict[str, list[VariantRef]] = {sha: list(known.get(sha, ())) for sha in shas}
    missing = [sha for sha, refs in found.items() if not refs]
    if not missing:
        return found
    rows = session.exec(
        select(
            ImageVariant.image_sha256, ImageVariant.sha256, ImageVariant.width, ImageVariant.height
        )
        .where(col(ImageVariant.image_sha256).in_(missing))
        .order_by(col(ImageVariant.width))
    )
    for image_sha, sha, width, height in rows:
        found[image_sha].append(VariantRef(sha256=sha, width=width, height=height))
    if len(known) > KNOWN_VARIANTS_LIMIT:
        known.clear()
    for sha in missing:
        if found[sha]:
            known[sha] = tuple(found[sha])
    return found


def variant_bytes(session: Session, sha256: str) -> tuple[bytes, str] | None:
    row = session.exec(
        select(ImageVariant.data, ImageVariant.media_type).where(ImageVariant.sha256 == sha256)
    ).first()
    return (row[0], row[1]) if row else None
