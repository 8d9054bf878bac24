"""Test data made in the test itself: images drawn with Pillow, zips, users."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw


def image_bytes(
    size: tuple[int, int] = (800, 600),
    *,
    fmt: str = "JPEG",
    mode: str = "RGB",
    orientation: int | None = None,
    gps: bool = False,
    colour: tuple[int, ...] | int = (200, 120, 40),
) -> bytes:
    """An image with a marker in its top-left corner, so orientation can be checked."""
    image = Image.new(mode, size, colour)
    if mode in ("RGB", "RGBA"):
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(0, 0, 255))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 40.0, 0.0), 3: "E", 4: (12.0, 34.0, 0.0)}
    buffer = io.BytesIO()
    kwargs: dict[str, object] = {}
    if len(exif):
        kwargs["exif"] = exif.tobytes()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def write_deck(folder: Path, names: list[str], manifest: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / name).write_bytes(image_bytes((640, 800), colour=(20 * i % 255, 90, 140)))
    if manifest is not None:
        (folder / "deck.toml").write_text(manifest, encoding="utf-8")
    return folder
