"""Content-addressed image storage in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

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


def variants_of(session: Session, image_shas: Iterable[str]) -> dict[str, list[VariantRef]]:
    """Variants per image, smallest first, without loading the image bytes."""
    shas = list(set(image_shas))
    found: dict[str, list[VariantRef]] = {sha: [] for sha in shas}
    if not shas:
        return found
    rows = session.exec(
        select(
            ImageVariant.image_sha256, ImageVariant.sha256, ImageVariant.width, ImageVariant.height
        )
        .where(col(ImageVariant.image_sha256).in_(shas))
        .order_by(col(ImageVariant.width))
    )
    for image_sha, sha, width, height in rows:
        found[image_sha].append(VariantRef(sha256=sha, width=width, height=height))
    return found


def variant_bytes(session: Session, sha256: str) -> tuple[bytes, str] | None:
    row = session.exec(
        select(ImageVariant.data, ImageVariant.media_type).where(ImageVariant.sha256 == sha256)
    ).first()
    return (row[0], row[1]) if row else None
