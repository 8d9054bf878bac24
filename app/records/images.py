"""Card thumbnails for the documents, from the stored variants (never fetched over HTTP)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from typing import Any

from PIL import Image as PILImage
from sqlmodel import Session

from app.media.service import variant_bytes, variants_of

# 320 px across a 3 cm thumbnail is about 270 dpi: sharp on paper, small in the file.
THUMB_MIN_WIDTH = 300
# Drawn card art has few colours and stays small as PNG (lossless); a photo does not, and a
# PDF keeps JPEG as it is, so photos go in as JPEG.
FLAT_ART_COLOURS = 4096
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Thumbnail:
    filename: str  # e.g. "<sha>.png", inside the render folder
    data: bytes
    media_type: str
    width: int
    height: int


@lru_cache(maxsize=256)
def _convert(variant_sha: str, data: bytes) -> tuple[bytes, str, int, int]:
    """WebP to PNG or JPEG on white (the paper): every document format can take those.
    Cached by the variant's own hash, so the bytes can never be stale."""
    with PILImage.open(BytesIO(data)) as source:
        image = source.convert("RGBA")
    flat = PILImage.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    out = BytesIO()
    if flat.getcolors(maxcolors=FLAT_ART_COLOURS) is not None:
        flat.save(out, format="PNG", optimize=True)
        media_type = "image/png"
    else:
        flat.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        media_type = "image/jpeg"
    return out.getvalue(), media_type, flat.width, flat.height


def thumbnails(session: Session, image_shas: Iterable[str]) -> dict[str, Thumbnail]:
    """One thumbnail per card image hash that has stored variants; missing ones are left out."""
    found: dict[str, Thumbnail] = {}
    for image_sha, refs in variants_of(session, image_shas).items():
        if not refs:
            continue
        ref = next((r for r in refs if r.width >= THUMB_MIN_WIDTH), refs[-1])
        stored = variant_bytes(session, ref.sha256)
        if stored is None:
            continue
        data, media_type, width, height = _convert(ref.sha256, stored[0])
        extension = "png" if media_type == "image/png" else "jpg"
        found[image_sha] = Thumbnail(f"{image_sha}.{extension}", data, media_type, width, height)
    return found


def record_image_shas(record: dict[str, Any]) -> list[str]:
    cards = list(record["status_cards"])
    for row in record["board"].values():
        cards += row
    return [c["image_sha256"] for c in cards if c.get("image_sha256")]
