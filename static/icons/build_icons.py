"""Draws the app icons (run by hand: .venv/bin/python static/icons/build_icons.py)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
BRAND = (47, 93, 80)
CARD_COLOURS = [(255, 244, 214), (250, 214, 165), (255, 255, 255)]
ACCENT = (224, 162, 59)


def icon(size: int, *, maskable: bool) -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges without an anti-aliasing API
    big = size * scale
    image = Image.new("RGBA", (big, big), (*BRAND, 255) if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if not maskable:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BRAND)
    inset = 0.2 if maskable else 0.12
    w, h = int(big * (0.42 - inset / 3)), int(big * (0.55 - inset / 3))
    cx, cy = big // 2, int(big * 0.53)
    for angle, colour in zip((-16, 0, 16), CARD_COLOURS, strict=True):
        card = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ImageDraw.Draw(card).rounded_rectangle(
            (0, 0, w - 1, h - 1), radius=w // 8, fill=colour, outline=(31, 42, 46), width=big // 90
        )
        rotated = card.rotate(-angle, expand=True, resample=Image.Resampling.BICUBIC)
        offset = int(angle * big / 260)
        image.alpha_composite(rotated, (cx - rotated.width // 2 + offset, cy - rotated.height // 2))
    r = int(w * 0.22)
    draw = ImageDraw.Draw(image)
    sx, sy = cx + int(big * 0.06), cy - int(h * 0.12)
    draw.ellipse((sx - r, sy - r, sx + r, sy + r), fill=ACCENT)
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    for size in (192, 512):
        icon(size, maskable=False).save(HERE / f"icon-{size}.png", optimize=True)
    icon(512, maskable=True).save(HERE / "icon-maskable-512.png", optimize=True)
