"""Render the two default card decks (Status, Arbejdsglæde) from OpenMoji.

Run BY HAND, never by the app: the app only reads the committed WebP images and the
``deck.toml`` manifests this script writes next to them (DESIGN.md §3, no image is made or
fetched at run time). Re-run it when a card changes, look at the contact sheets, commit.

Inputs are pinned so that a re-run gives the same cards:

    # OpenMoji 17.0.0 (CC BY-SA 4.0) into a scratch folder OUTSIDE the repository
    npm install openmoji@17.0.0 --no-audit --no-fund --prefix /tmp/cardbuild

    # a scratch venv OUTSIDE the repository with the rasteriser and Pillow
    python3 -m venv /tmp/cardvenv
    /tmp/cardvenv/bin/pip install resvg-py==0.5.0 pillow
    # (the committed cards were made with resvg-py 0.5.0 / resvg 0.48.1 and Pillow 13.0.0;
    #  a run with the same versions reproduces them byte for byte)

    # from the repository root: render both decks, rewrite deck.toml and ATTRIBUTION.md
    /tmp/cardvenv/bin/python cards/build.py
    # options: --openmoji DIR (or env OPENMOJI_DIR; default
    #          /tmp/cardbuild/node_modules/openmoji), --deck status|arbejdsglaede,
    #          --only SLUG [SLUG ...] (render just those images, manifests untouched)

    # then look at every card side by side before committing
    .venv/bin/python ../shared/tools/contact_sheet.py cards/status --out /tmp/status.png

Everything the script writes lives in ``cards/``: ``status/*.webp``, ``arbejdsglaede/*.webp``,
both ``deck.toml`` files and ``ATTRIBUTION.md``. The card texts (titles, alt texts, themes)
are kept here, beside the drawing code, so the manifests and the credits can never drift
from the images.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import os
import random
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import resvg_py
from PIL import Image, ImageDraw, ImageFilter

OPENMOJI_VERSION = "17.0.0"
DEFAULT_OPENMOJI = "/tmp/cardbuild/node_modules/openmoji"
CARDS_DIR = Path(__file__).resolve().parent

W, H = 640, 800  # portrait 4:5 for both decks, so the app can lay them out alike
# Pillow's polygons and ellipses are not antialiased: every scene is painted at twice the
# size and scaled down once at the end, which smooths all drawn edges in one step.
SS = 2
WEBP_QUALITY = 82
SIZE_BUDGET = 60 * 1024  # the app derives 320/640 px variants; keep the sources light

LICENCE = "CC-BY-SA-4.0"
AUTHOR = "OpenMoji; Arbejdsglæde"
ATTRIBUTION = "Illustrationer: OpenMoji (openmoji.org), CC BY-SA 4.0"
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)  # keep the default namespace, no "ns0:" prefixes

# OpenMoji's own palette (openmoji.org/styleguide): drawn details that sit next to the
# motifs (juggling balls, yarn, flames) use it so they look like part of the same set.
OM_RED, OM_ORANGE, OM_YELLOW = "#ea5a47", "#f4aa41", "#fcea2b"
OM_GREEN, OM_BLUE, OM_LIGHTBLUE, OM_PURPLE = "#b1cc33", "#61b2e4", "#92d3f5", "#b399c8"
OM_LINE = "#000000"

Colour = str | tuple[int, int, int] | tuple[int, int, int, int]
Point = tuple[float, float]


# ---------------------------------------------------------------------------------------
# colours
# ---------------------------------------------------------------------------------------


def rgb(colour: Colour) -> tuple[int, int, int]:
    if isinstance(colour, tuple):
        return colour[0], colour[1], colour[2]
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgba(colour: Colour, alpha: int = 255) -> tuple[int, int, int, int]:
    if isinstance(colour, tuple) and len(colour) == 4:
        return colour
    r, g, b = rgb(colour)
    return r, g, b, alpha


def mix(a: Colour, b: Colour, t: float) -> tuple[int, int, int]:
    ra, ga, ba = rgb(a)
    rb, gb, bb = rgb(b)
    return (
        round(ra + (rb - ra) * t),
        round(ga + (gb - ga) * t),
        round(ba + (bb - ba) * t),
    )


def gradient_at(stops: Sequence[tuple[float, Colour]], t: float) -> tuple[int, int, int]:
    """Colour at position t (0..1) of a multi-stop gradient."""
    if t <= stops[0][0]:
        return rgb(stops[0][1])
    for (p0, c0), (p1, c1) in itertools.pairwise(stops):
        if t <= p1:
            # smoothstep between stops: linear blends show visible bands at the stops
            u = (t - p0) / (p1 - p0) if p1 > p0 else 1.0
            u = u * u * (3 - 2 * u)
            return mix(c0, c1, u)
    return rgb(stops[-1][1])


# ---------------------------------------------------------------------------------------
# OpenMoji: load, edit and rasterise one SVG
# ---------------------------------------------------------------------------------------

Match = tuple[tuple[str, str], ...]


def m(tag: str | None = None, **attrs: str) -> Match:
    """An element selector: tag name plus attribute values (``_`` in a name becomes ``-``).

    A value ending in ``*`` matches as a prefix (handy for long path data).
    """
    items = [(k.replace("_", "-"), v) for k, v in attrs.items()]
    if tag:
        items.append(("<tag>", tag))
    return tuple(sorted(items))


@dataclass(frozen=True)
class Motif:
    """One OpenMoji SVG and the few edits a scene needs (all recorded in the provenance).

    drop: elements removed, e.g. a built-in water strip that would clash with the drawn sea.
    recolour: (selector, fill) pairs, e.g. a grey lighthouse painted white with a red top.
    viewbox: a crop in the 72x72 OpenMoji grid.
    stroke: factor for every stroke width, to keep the outline weight of a motif that is
            drawn much larger than the others close to theirs.
    """

    code: str
    drop: tuple[Match, ...] = ()
    recolour: tuple[tuple[Match, str], ...] = ()
    viewbox: tuple[float, float, float, float] | None = None
    stroke: float = 1.0

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.viewbox or (0.0, 0.0, 72.0, 72.0)


def _matches(el: ET.Element, sel: Match) -> bool:
    for key, want in sel:
        have = el.tag.split("}")[-1] if key == "<tag>" else el.get(key)
        if have is None:
            return False
        if want.endswith("*"):
            if not have.lower().startswith(want[:-1].lower()):
                return False
        elif have.lower() != want.lower():
            return False
    return True


class OpenMoji:
    def __init__(self, root: Path) -> None:
        self.root = root
        if not (root / "package.json").is_file():
            raise SystemExit(
                f"{root}: no openmoji package here; install it with\n"
                f"  npm install openmoji@{OPENMOJI_VERSION} --no-audit --no-fund "
                "--prefix /tmp/cardbuild"
            )
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
        if package.get("version") != OPENMOJI_VERSION:
            # the cards and ATTRIBUTION.md name this exact release
            raise SystemExit(
                f"{root}: openmoji {package.get('version')} found, {OPENMOJI_VERSION} pinned"
            )
        self.svg_dir = root / "color" / "svg"

    def svg_path(self, code: str) -> Path:
        path = self.svg_dir / f"{code}.svg"
        if not path.is_file():
            raise SystemExit(f"OpenMoji {OPENMOJI_VERSION} has no colour SVG {code}")
        return path

    def svg_text(self, motif: Motif) -> str:
        tree = ET.parse(self.svg_path(motif.code))
        root = tree.getroot()
        parents = {child: parent for parent in root.iter() for child in parent}
        used: set[Match] = set()
        for el in list(root.iter()):
            hits = [sel for sel in motif.drop if _matches(el, sel)]
            if hits:
                used.update(hits)
                parents[el].remove(el)
        for sel, fill in motif.recolour:
            for el in root.iter():
                if _matches(el, sel):
                    el.set("fill", fill)
                    used.add(sel)
        missing = [s for s in (*motif.drop, *(s for s, _ in motif.recolour)) if s not in used]
        if missing:
            # an edit that hits nothing means the SVG changed: fail loudly, never silently
            raise SystemExit(f"{motif.code}: selector(s) matched nothing: {missing}")
        if motif.stroke != 1.0:
            for el in root.iter():
                if el.get("stroke") not in (None, "none") or el.get("stroke-width"):
                    width = float(el.get("stroke-width", "1"))
                    el.set("stroke-width", f"{width * motif.stroke:.3f}")
        if motif.viewbox:
            root.set("viewBox", " ".join(f"{v:g}" for v in motif.viewbox))
        return ET.tostring(root, encoding="unicode")

    @lru_cache(maxsize=256)  # noqa: B019 - one instance per run, cache lives as long
    def render(self, motif: Motif, width_px: int) -> Image.Image:
        """The motif as RGBA, ``width_px`` wide; height follows the (cropped) viewBox."""
        _, _, vw, vh = motif.box
        height_px = max(1, round(width_px * vh / vw))
        png = resvg_py.svg_to_bytes(
            svg_string=self.svg_text(motif),
            width=width_px,
            height=height_px,
            skip_system_fonts=True,  # no text in any motif, and it saves the font scan
        )
        return Image.open(io.BytesIO(bytes(png))).convert("RGBA")


# ---------------------------------------------------------------------------------------
# Painting: a scene is a 2x RGBA canvas addressed in 640x800 card coordinates
# ---------------------------------------------------------------------------------------


def _s(v: float) -> float:
    return v * SS


class Pen:
    """Draws on one transparent layer; coordinates are card pixels (0..640, 0..800)."""

    def __init__(self) -> None:
        self.im = Image.new("RGBA", (W * SS, H * SS), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.im)

    def polygon(self, pts: Sequence[Point], fill: Colour, alpha: int = 255) -> None:
        self.draw.polygon([(_s(x), _s(y)) for x, y in pts], fill=rgba(fill, alpha))

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: Colour,
        alpha: int = 255,
        outline: Colour | None = None,
        width: float = 0,
    ) -> None:
        self.draw.ellipse(
            (_s(cx - rx), _s(cy - ry), _s(cx + rx), _s(cy + ry)),
            fill=rgba(fill, alpha),
            outline=rgba(outline) if outline else None,
            width=round(_s(width)),
        )

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, fill: Colour, alpha: int = 255
    ) -> None:
        self.draw.rectangle((_s(x0), _s(y0), _s(x1), _s(y1)), fill=rgba(fill, alpha))

    def line(
        self,
        pts: Sequence[Point],
        fill: Colour,
        width: float,
        alpha: int = 255,
        round_caps: bool = True,
    ) -> None:
        scaled = [(_s(x), _s(y)) for x, y in pts]
        w = max(1, round(_s(width)))
        self.draw.line(scaled, fill=rgba(fill, alpha), width=w, joint="curve")
        if round_caps:  # Pillow draws square-ish ends; round caps match OpenMoji's lines
            r = w / 2
            for x, y in (scaled[0], scaled[-1]):
                self.draw.ellipse((x - r, y - r, x + r, y + r), fill=rgba(fill, alpha))


@dataclass
class Placed:
    """Where a motif landed, to hang drawn details (a light beam, a flag) on its parts."""

    motif: Motif
    scale: float  # card px per SVG unit
    angle: float
    flip: bool
    centre: Point  # card coordinates of the rendered image's centre
    img_size: tuple[float, float]  # unrotated, card px

    def pt(self, u: float, v: float) -> Point:
        """Card coordinates of the point (u, v) of the SVG's 72x72 grid."""
        vx, vy, vw, _ = self.motif.box
        if self.flip:
            u = 2 * vx + vw - u
        px = (u - vx) * self.scale - self.img_size[0] / 2
        py = (v - vy) * self.scale - self.img_size[1] / 2
        a = math.radians(self.angle)  # Pillow rotates counter-clockwise, y points down
        rx = px * math.cos(a) + py * math.sin(a)
        ry = -px * math.sin(a) + py * math.cos(a)
        return self.centre[0] + rx, self.centre[1] + ry


class Scene:
    def __init__(self, om: OpenMoji, base: Colour = "#000000") -> None:
        self.om = om
        self.img = Image.new("RGBA", (W * SS, H * SS), rgba(base))
        self.motifs: list[Motif] = []

    # -- background ------------------------------------------------------------------

    def gradient(
        self, stops: Sequence[tuple[float, Colour]], top: float = 0, bottom: float = H
    ) -> None:
        """A soft vertical gradient over the full width between two heights."""
        y0, y1 = round(_s(top)), round(_s(bottom))
        rows = max(1, y1 - y0)
        column = Image.new("RGBA", (1, rows))
        column.putdata([(*gradient_at(stops, i / max(1, rows - 1)), 255) for i in range(rows)])
        band = column.resize((W * SS, rows), Image.Resampling.NEAREST)
        self.img.alpha_composite(band, (0, y0))

    @contextmanager
    def paint(self, opacity: float = 1.0, blur: float = 0.0) -> Iterator[Pen]:
        """Draw shapes on a fresh layer, then lay it on the scene (optionally soft)."""
        pen = Pen()
        yield pen
        layer = pen.im
        if blur:
            # blur premultiplied: a plain RGBA blur drags the transparent black around a
            # shape into its edge, which turns every soft glow into a grey smudge
            layer = layer.convert("RGBa").filter(ImageFilter.GaussianBlur(_s(blur))).convert("RGBA")
        if opacity < 1.0:
            alpha = layer.getchannel("A").point(lambda a: round(a * opacity))
            layer.putalpha(alpha)
        self.img.alpha_composite(layer)

    def glow(self, cx: float, cy: float, r: float, colour: Colour, strength: float = 1.0) -> None:
        """A soft round light (sun haze, spotlight, lightning flash)."""
        with self.paint(opacity=strength, blur=r * 0.45) as pen:
            pen.ellipse(cx, cy, r * 0.75, r * 0.75, colour)

    # -- motifs ----------------------------------------------------------------------

    def emoji(
        self,
        motif: Motif | str,
        width: float,
        at: Point,
        *,
        anchor: str = "centre",
        angle: float = 0.0,
        flip: bool = False,
        opacity: float = 1.0,
    ) -> Placed:
        """Lay one OpenMoji motif on the scene.

        width: card px for the full (cropped) viewBox width.
        anchor: "centre" puts the centre of the rendered square at ``at``; "visual" the
                centre of its visible pixels; "bottom" the bottom centre of them (to stand
                a motif on the ground whatever padding its SVG has).
        """
        if isinstance(motif, str):
            motif = Motif(motif)
        self.motifs.append(motif)
        im = self.om.render(motif, round(_s(width)))
        if flip:
            im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        size = (im.width / SS, im.height / SS)
        if angle:
            im = im.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
        if opacity < 1.0:
            im.putalpha(im.getchannel("A").point(lambda a: round(a * opacity)))
        bbox = im.getchannel("A").getbbox() or (0, 0, im.width, im.height)
        if anchor == "centre":
            ox, oy = _s(at[0]) - im.width / 2, _s(at[1]) - im.height / 2
        elif anchor == "visual":
            ox = _s(at[0]) - (bbox[0] + bbox[2]) / 2
            oy = _s(at[1]) - (bbox[1] + bbox[3]) / 2
        elif anchor == "bottom":
            ox = _s(at[0]) - (bbox[0] + bbox[2]) / 2
            oy = _s(at[1]) - bbox[3]
        else:
            raise ValueError(anchor)
        layer = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        layer.paste(im, (round(ox), round(oy)))
        self.img.alpha_composite(layer)
        centre = ((ox + im.width / 2) / SS, (oy + im.height / 2) / SS)
        return Placed(motif, width / motif.box[2], angle, flip, centre, size)

    def where(self, motif: Motif, width: float, at: Point, angle: float = 0.0) -> Placed:
        """Where ``emoji(motif, width, at, angle=angle)`` will put the motif, without drawing
        it: details that belong behind a motif (smoke, light beams) are drawn first."""
        _, _, vw, vh = motif.box
        return Placed(motif, width / vw, angle, False, at, (width, width * vh / vw))

    def finish(self) -> Image.Image:
        return self.img.resize((W, H), Image.Resampling.LANCZOS).convert("RGB")


# ---------------------------------------------------------------------------------------
# small drawing helpers shared by the scenes
# ---------------------------------------------------------------------------------------


def ridge(
    base: float, waves: Sequence[tuple[float, float, float]], bottom: float = H, step: float = 8
) -> list[Point]:
    """A hill line y(x) = base + sum(amp * sin(x / period + phase)), closed to ``bottom``."""
    pts: list[Point] = [(-10, bottom)]
    x = -10.0
    while x <= W + 10:
        y = base + sum(a * math.sin(x / p + ph) for a, p, ph in waves)
        pts.append((x, y))
        x += step
    pts.append((W + 10, bottom))
    return pts


def peaks(base: float, points: Sequence[Point], bottom: float = H) -> list[Point]:
    """A mountain range through the given summit and saddle points."""
    return [(-10, bottom), (-10, base), *points, (W + 10, base), (W + 10, bottom)]


def cloud(pen: Pen, cx: float, cy: float, w: float, colour: Colour, alpha: int = 255) -> None:
    """A flat-bottomed cartoon cloud made of overlapping discs (no outline, so it stays
    background and never competes with the outlined motifs)."""
    r = w / 4.2
    for dx, dy, k in (
        (-1.25, 0.15, 0.75),
        (-0.45, -0.35, 1.0),
        (0.45, -0.2, 0.9),
        (1.25, 0.2, 0.7),
    ):
        pen.ellipse(cx + dx * r, cy + dy * r, r * k, r * k, colour, alpha)
    pen.rect(cx - 1.25 * r, cy + 0.1 * r, cx + 1.25 * r, cy + 0.9 * r, colour, alpha)
    pen.ellipse(cx - 1.25 * r, cy + 0.2 * r, 0.7 * r, 0.7 * r, colour, alpha)
    pen.ellipse(cx + 1.25 * r, cy + 0.2 * r, 0.7 * r, 0.7 * r, colour, alpha)


def stars(
    pen: Pen, rng: random.Random, n: int, top: float, bottom: float, colour: Colour = "#ffffff"
) -> None:
    for _ in range(n):
        x, y = rng.uniform(10, W - 10), rng.uniform(top, bottom)
        r = rng.choice((1.2, 1.6, 2.2, 3.0))
        pen.ellipse(x, y, r, r, colour, rng.randint(120, 255))


def catmull_rom(points: Sequence[Point], steps: int = 16) -> list[Point]:
    """A smooth curve through all points (for the yarn thread, paths and trails)."""
    if len(points) < 3:
        return list(points)
    pts = [points[0], *points, points[-1]]

    def blend(a: float, b: float, c: float, d: float, t: float) -> float:
        return 0.5 * (
            2 * b
            + (-a + c) * t
            + (2 * a - 5 * b + 4 * c - d) * t * t
            + (-a + 3 * b - 3 * c + d) * t * t * t
        )

    out: list[Point] = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for s in range(steps):
            t = s / steps
            out.append((blend(p0[0], p1[0], p2[0], p3[0], t), blend(p0[1], p1[1], p2[1], p3[1], t)))
    out.append(points[-1])
    return out


def outlined_line(
    pen: Pen, pts: Sequence[Point], fill: Colour, width: float, outline: float = 2.6
) -> None:
    """A coloured stroke with a black edge: the OpenMoji look for drawn threads and rails."""
    pen.line(pts, OM_LINE, width + 2 * outline)
    pen.line(pts, fill, width)


def perspective_strip(
    horizon: float,
    near_y: float,
    centre: Callable[[float], float],
    half_width: float,
    depth: float = 40.0,
    steps: int = 120,
) -> tuple[list[Point], list[Point]]:
    """Left and right edges of a road/path/track running to the horizon.

    ``centre(z)`` is the sideways position in ground units at distance z (1 = nearest);
    the screen position divides by z, so the strip narrows and curves like a real road.
    """
    left: list[Point] = []
    right: list[Point] = []
    for i in range(steps + 1):
        z = 1.0 + (depth - 1.0) * (i / steps) ** 2.2  # more samples close to the viewer
        y = horizon + (near_y - horizon) / z
        cx = W / 2 + centre(z) / z
        left.append((cx - half_width / z, y))
        right.append((cx + half_width / z, y))
    return left, right


# ---------------------------------------------------------------------------------------
# Status deck: 20 wordless scenes
# ---------------------------------------------------------------------------------------
# Each painter gets a fresh Scene and draws sky/ground first, motifs last. Palettes are
# chosen so that no two neighbours on the table look alike: dawn, bright sea, slate storm,
# grey fog, yellow rapeseed, night, autumn, stage, parchment ...


def scene_solopgang(sc: Scene, rng: random.Random) -> None:
    sc.gradient(
        [(0, "#27295f"), (0.32, "#6f4788"), (0.6, "#e07f73"), (0.82, "#ffbf78"), (1, "#ffe2a0")],
        0,
        640,
    )
    sc.glow(320, 470, 360, "#fff0b0", 0.85)
    sc.emoji("2600", 440, (320, 455))
    with sc.paint() as p:  # three ranges, lighter with distance (aerial perspective)
        p.polygon(
            peaks(
                340,
                [(60, 300), (140, 350), (215, 420), (320, 545), (420, 440), (505, 330), (585, 290)],
            ),
            "#c57f97",
        )
        p.polygon(
            peaks(
                480,
                [(70, 430), (170, 520), (270, 600), (350, 610), (440, 540), (545, 450), (610, 470)],
            ),
            "#86507f",
        )
        p.polygon(
            peaks(640, [(110, 585), (230, 665), (360, 705), (480, 640), (575, 600)]), "#432f5c"
        )
    with sc.paint(opacity=0.35, blur=18) as p:  # morning haze in the valley
        p.ellipse(320, 600, 260, 40, "#ffd9a8")


def scene_medvind(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#58afe3"), (1, "#d9f1fb")], 0, 480)
    with sc.paint(opacity=0.95) as p:
        cloud(p, 120, 140, 170, "#ffffff")
        cloud(p, 520, 95, 120, "#ffffff")
    sc.gradient([(0, "#63c4df"), (0.5, "#2f8fc2"), (1, "#1b5f96")], 480, 800)
    with sc.paint(opacity=0.55) as p:  # little wave crests, smaller further away
        for _ in range(70):
            y = rng.uniform(495, 790)
            k = (y - 480) / 320
            x = rng.uniform(-20, W + 20)
            w = 10 + 40 * k
            p.line([(x - w, y), (x, y - 3 - 4 * k), (x + w, y)], "#d7f1fb", 1.5 + 3 * k)
    with sc.paint(opacity=0.85) as p:  # the wind that fills the sails
        for y0, x0, x1 in ((250, 40, 200), (320, 20, 170), (390, 60, 190)):
            p.line(catmull_rom([(x0, y0), ((x0 + x1) / 2, y0 - 14), (x1, y0)]), "#ffffff", 6)
    boat = Motif("26F5", drop=(m(fill="#92d3f5"), m("path", d="m8.1621*")), stroke=0.8)
    with sc.paint(opacity=0.35, blur=6) as p:  # the hull's shadow on the water
        p.ellipse(330, 612, 190, 16, "#0d3b63")
    sc.emoji(boat, 560, (330, 612), anchor="bottom")
    with sc.paint() as p:  # water lapping over the waterline seats the hull in the sea
        y = 606
        pts = [(x, y + 5 * math.sin(x / 22)) for x in range(120, 540, 6)]
        p.polygon(
            [(120, 640), *pts, (540, 640)],
            gradient_at([(0, "#63c4df"), (0.5, "#2f8fc2"), (1, "#1b5f96")], (y - 480) / 320),
        )
        p.line(pts[3:-3], "#e4f6fc", 4)


def scene_uvejr(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#1f242e"), (0.55, "#444c5a"), (1, "#6b7482")], 0, 620)
    with sc.paint(opacity=0.7, blur=10) as p:  # heavy cloud banks behind the motif
        for cx, cy, w in (
            (90, 120, 260),
            (560, 170, 280),
            (330, 60, 320),
            (200, 470, 300),
            (520, 500, 260),
        ):
            cloud(p, cx, cy, w, "#2c323d")
    sc.glow(330, 430, 300, "#fff6c8", 0.35)  # the flash lights up the clouds
    sc.gradient([(0, "#3a4635"), (1, "#172014")], 620, 800)
    with sc.paint(opacity=0.45) as p:  # driving rain across the whole scene
        for _ in range(150):
            x, y = rng.uniform(-40, W), rng.uniform(0, H)
            p.line([(x, y), (x - 14, y + 46)], "#c9d3de", 2.2, round_caps=False)
    sc.emoji(Motif("1FABE", stroke=0.9), 260, (545, 642), anchor="bottom", angle=-6)
    # the white belly under OpenMoji's storm cloud glares on a dark sky: make it grey
    storm = Motif("26C8", recolour=((m("path", fill="#fff"), "#9b9b9a"),), stroke=0.85)
    sc.emoji(storm, 530, (300, 280))


def scene_taage(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#b3bcc5"), (0.6, "#d9dde1"), (1, "#eceeef")], 0, 800)
    with sc.paint(opacity=0.5) as p:
        p.polygon(ridge(430, [(26, 90, 0.5), (12, 37, 1.2)]), "#a9b2bb")
    fog = "#f4f5f6"
    with sc.paint(opacity=0.75, blur=22) as p:
        p.rect(-40, 430, W + 40, 520, fog)
    for i, x in enumerate(range(40, W, 95)):  # a far row of firs, barely there
        sc.emoji("1F332", 150, (x + 18 * (i % 2), 540), anchor="bottom", opacity=0.22)
    with sc.paint(opacity=0.7, blur=20) as p:
        p.rect(-40, 510, W + 40, 600, fog)
    for x, s in ((70, 250), (250, 210), (585, 240)):
        sc.emoji("1F332", s, (x, 650), anchor="bottom", opacity=0.45)
    with sc.paint(opacity=0.7, blur=24) as p:
        p.rect(-40, 610, W + 40, 700, fog)
    sc.emoji(Motif("1F332", stroke=0.8), 470, (420, 800), anchor="bottom", opacity=0.8)
    with sc.paint(opacity=0.85, blur=26) as p:  # the fog swallows the foot of the tree
        p.rect(-40, 700, W + 40, H + 40, fog)
        p.ellipse(120, 690, 220, 40, fog)


def scene_regnbue(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#6f9cc6"), (0.45, "#a9cfe6"), (1, "#e6f4f3")], 0, 620)
    with sc.paint(opacity=0.55, blur=14) as p:  # the shower moving away to the left
        cloud(p, 40, 120, 300, "#7f8b99")
        cloud(p, 170, 60, 260, "#8d98a5")
    # OpenMoji's rainbow is a quarter arc: crop its cut end and mirror it into a full arch.
    arc = Motif("1F308", viewbox=(6, 6, 57, 60), stroke=0.9)
    w = 296
    h = w * 60 / 57
    top = 604 - (64.05 - 6) * (w / 57)  # feet of the arch on the horizon
    sc.emoji(arc, w, (320 - w / 2, top + h / 2))
    sc.emoji(arc, w, (320 + w / 2, top + h / 2), flip=True)
    with sc.paint() as p:
        p.polygon(ridge(612, [(8, 70, 0.3), (5, 23, 1.0)]), "#8cc35d")
    sc.gradient([(0, "#86bf58"), (1, "#4c8a36")], 640, 800)
    with sc.paint() as p:
        p.polygon(ridge(630, [(10, 110, 2.0), (4, 31, 0.2)], bottom=660), "#86bf58")
    with sc.paint(opacity=0.45) as p:  # rain drops still glinting in the grass
        for _ in range(45):
            x, y = rng.uniform(0, W), rng.uniform(665, 795)
            r = 1.5 + (y - 650) / 60
            p.ellipse(x, y, r, r * 1.6, "#e9f7ff")
    sc.emoji(Motif("1F326", stroke=0.85), 340, (160, 180))


def scene_paa_toppen(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#0f3a7c"), (0.55, "#3a84cd"), (1, "#b5ddf4")], 0, 800)
    mountain = sc.emoji(Motif("1F3D4", stroke=0.7), 700, (330, 790), anchor="bottom")
    summit = mountain.pt(25.6, 15.6)
    flag = Motif("1F6A9", stroke=0.9)
    fw = 190
    s = fw / 72
    sc.emoji(flag, fw, (summit[0] + (36 - 5) * s, summit[1] - (67 - 36) * s))
    with sc.paint() as p:  # a sea of clouds far below the summit
        for cx, cy, w in (
            (20, 720, 300),
            (230, 745, 320),
            (450, 725, 300),
            (640, 740, 320),
            (120, 790, 300),
            (380, 800, 340),
            (600, 800, 260),
        ):
            cloud(p, cx, cy, w, "#ffffff")
    with sc.paint(opacity=0.5) as p:
        for cx, cy, w in ((90, 700, 180), (540, 690, 200)):
            cloud(p, cx, cy, w, "#e3f1fa")


def scene_lang_vej(sc: Scene, rng: random.Random) -> None:
    horizon = 420
    sc.gradient([(0, "#f1bf86"), (0.7, "#fbe1b4"), (1, "#fdf1d6")], 0, horizon + 20)
    sc.glow(450, 300, 150, "#fffbea", 0.8)
    with sc.paint() as p:  # a low afternoon sun: the road is long, the day too
        p.ellipse(450, 300, 46, 46, "#fff6dc")
    with sc.paint() as p:
        p.polygon(ridge(horizon - 6, [(14, 70, 0.5), (6, 23, 2)]), "#cf9f93")
        p.polygon(ridge(horizon + 2, [(5, 50, 1.5), (3, 17, 0.3)]), "#b98a8a")
    sc.gradient([(0, "#e7c45d"), (0.5, "#d9a940"), (1, "#b9822a")], horizon, 800)
    with sc.paint(opacity=0.3) as p:  # furrows in the fields, converging on the horizon
        for i in range(-14, 15):
            p.line([(W / 2 + i * 6, horizon + 2), (W / 2 + i * 120, 820)], "#9a6a1e", 2)

    def bend(z: float) -> float:  # an S that keeps swinging, smaller with distance
        return z * 150 * math.sin(2.4 * math.log(z) - 0.9) / math.pow(z, 0.3)

    left, right = perspective_strip(horizon, 830, bend, 210, depth=80, steps=200)
    n = len(left) - 1
    with sc.paint() as p:
        verge = [(x - 10 * (1 - i / n), y) for i, (x, y) in enumerate(left)]
        verge += [(x + 10 * (1 - i / n), y) for i, (x, y) in enumerate(right)][::-1]
        p.polygon(verge, "#f3ead6")
        p.polygon(left + right[::-1], "#6f6a72")
        mid = [((a[0] + b[0]) / 2, a[1]) for a, b in zip(left, right, strict=True)]
        for i in range(0, n - 6, 8):  # dashed centre line
            width = max(1.0, (right[i][0] - left[i][0]) / 28)
            p.line(mid[i : i + 4], "#fff6df", width, round_caps=False)
    sc.emoji(Motif("E094", stroke=0.9), 270, (530, 800), anchor="bottom")


def scene_paa_skinner(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#8fcbed"), (1, "#eef8fb")], 0, 470)
    with sc.paint(opacity=0.95) as p:
        cloud(p, 470, 120, 190, "#ffffff")
        cloud(p, 130, 200, 110, "#ffffff")
    with sc.paint() as p:
        p.polygon(ridge(452, [(16, 80, 0.3), (7, 31, 1.1)]), "#9fc985")
        p.polygon(ridge(505, [(12, 130, 1.7), (4, 41, 0.6)]), "#f2d443")  # rapeseed
        p.polygon(ridge(560, [(10, 150, 0.2), (3, 37, 1.4)]), "#e4c232")
    sc.gradient([(0, "#8bc35c"), (1, "#4f8e3a")], 600, 800)
    with sc.paint() as p:
        p.polygon(ridge(596, [(8, 120, 0.9), (3, 33, 0.1)], bottom=620), "#8bc35c")
    with sc.paint() as p:  # the track runs on out of the picture at both ends
        p.rect(-10, 648, W + 10, 684, "#b9aa93")
        p.rect(-10, 680, W + 10, 690, "#9d8e78")
        for x in range(-10, W + 20, 34):
            p.rect(x, 656, x + 16, 670, "#6a462f")
        p.rect(-10, 650, W + 10, 657, "#1f1f1f")
        p.rect(-10, 651, W + 10, 654, "#8d8d8d")
    loco = sc.emoji(Motif("1F682", stroke=0.8), 500, (310, 656), anchor="bottom")
    chimney = loco.pt(11.1, 18.2)
    with sc.paint(opacity=0.9) as p:  # steam drifting back over the train as it moves on
        for i in range(7):
            r = 22 + 9 * i
            p.ellipse(
                chimney[0] + 40 * i + 8,
                chimney[1] - 30 - 18 * i + 6 * (i % 2),
                r,
                r * 0.8,
                "#ffffff",
                255 - 22 * i,
            )


def scene_bro(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#7fc4c0"), (0.6, "#d3ede4"), (1, "#fbf1d9")], 0, 520)
    sc.glow(320, 515, 240, "#fffbe8", 0.9)
    with sc.paint() as p:
        p.ellipse(320, 520, 70, 70, "#ffeaa8")
    with sc.paint() as p:  # the two shores the bridge joins
        p.polygon([(-10, 470), (60, 462), (130, 492), (150, 520), (-10, 520)], "#3f6f66")
        p.polygon([(W + 10, 460), (560, 456), (500, 495), (485, 520), (W + 10, 520)], "#3f6f66")
    sc.gradient([(0, "#8ccbc2"), (0.35, "#3f8f8f"), (1, "#17475a")], 520, 800)
    with sc.paint(opacity=0.6) as p:  # the low sun glittering on the water
        for _ in range(60):
            y = rng.uniform(525, 700)
            w = 6 + (y - 520) * 0.25
            x = 320 + rng.gauss(0, 30 + (y - 520) * 0.5)
            p.line([(x - w, y), (x + w, y)], "#f4fbf0", 2 + (y - 520) / 90)
    # OpenMoji's "bridge at night" without its navy tile and stars: the bridge alone,
    # cropped so that its deck runs off both edges, strokes thinned to the deck's scale.
    bridge = Motif(
        "1F309",
        drop=(m("g", id="line-supplement"), m("g", id="color"), m("rect", x="12", fill="none")),
        viewbox=(12, 14, 48, 60),
        stroke=0.55,
    )
    placed = sc.emoji(bridge, W, (W / 2, H / 2))
    deck_y = placed.pt(36, 48.04)[1]
    with sc.paint() as p:  # a solid deck and the piers' feet in the water
        p.rect(-10, deck_y - 5, W + 10, deck_y + 9, "#1c1c1c")
        for u in (24, 48):
            x = placed.pt(u, 60)[0]
            p.rect(x - 22, 600, x + 22, 640, "#1c1c1c")
    with sc.paint(opacity=0.35, blur=3) as p:
        for u in (24, 48):
            x = placed.pt(u, 60)[0]
            p.rect(x - 20, 640, x + 20, 720, "#0f2a33")


def scene_fyrtaarn(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#0b1633"), (0.7, "#1f3763"), (1, "#35507e")], 0, 560)
    with sc.paint() as p:
        stars(p, rng, 70, 10, 420)
    sc.gradient([(0, "#203b63"), (1, "#0a1429")], 560, 800)
    lighthouse = Motif(
        "E212",
        drop=(m("g", id="color-2"), m("line", y1="62.5276")),
        recolour=(
            (m("polygon", points="45.949*"), "#f7f4ee"),  # tower: white ...
            (m("path", fill="#9b9b9a"), "#e2ddd4"),  # ... with its shaded side
            (m("rect", x="31.7709"), "#fcea2b"),  # the lamp room is lit
            (m("rect", x="37.1451"), "#f1b31c"),
            (m("rect", x="27.9402"), "#d22f27"),  # red gallery and cap
            (m("polygon", points="36 10.031*"), "#d22f27"),
        ),
        stroke=0.8,
    )
    w = 560
    at = (330, 640 - (62.5 - 36) * w / 72)  # foot of the tower on the rock at y=640
    lx, ly = sc.where(lighthouse, w, at).pt(36.0, 26.4)  # the lamp
    with sc.paint(opacity=0.5, blur=5) as p:
        p.polygon([(lx, ly - 8), (-20, ly - 120), (-20, ly + 60), (lx, ly + 8)], "#ffe676")
        p.polygon(
            [(lx, ly - 8), (W + 20, ly - 70), (W + 20, ly + 40), (lx, ly + 8)], "#ffe676", 150
        )
    sc.glow(lx, ly, 120, "#fff7c2", 0.8)
    with sc.paint(opacity=0.55) as p:  # light on the waves
        for _ in range(40):
            y = rng.uniform(575, 780)
            x = rng.uniform(0, W)
            half = 8 + (y - 560) * 0.12
            p.line([(x - half, y), (x + half, y)], "#9fb8d9", 2 + (y - 560) / 120)
    with sc.paint() as p:  # the rock it stands on
        p.polygon(
            [
                (150, 700),
                (200, 650),
                (260, 632),
                (410, 630),
                (470, 648),
                (530, 700),
                (560, 740),
                (120, 740),
            ],
            "#3b3a45",
        )
        p.polygon(
            [(200, 650), (260, 632), (410, 630), (470, 648), (430, 660), (250, 662)], "#57556a"
        )
    with sc.paint(opacity=0.5) as p:
        p.ellipse(340, 742, 250, 14, "#d8e6f5")
    sc.emoji(lighthouse, w, at)


def scene_spire(sc: Scene, rng: random.Random) -> None:
    soil_top = 520
    sc.gradient([(0, "#bfe4f1"), (1, "#f7f1d6")], 0, soil_top + 10)
    sc.glow(520, 110, 260, "#fff7cf", 0.9)
    sc.gradient([(0, "#7b5132"), (1, "#3f2716")], soil_top, 800)
    with sc.paint() as p:  # a little heap of loose earth round the stem
        p.polygon(ridge(soil_top + 4, [(3, 23, 0.4), (2, 9, 1.0)], bottom=soil_top + 40), "#7b5132")
        p.ellipse(320, soil_top + 6, 90, 18, "#7b5132")
    with sc.paint(opacity=0.8) as p:  # stones in the soil
        for _ in range(26):
            x, y = rng.uniform(0, W), rng.uniform(soil_top + 40, 790)
            r = rng.uniform(4, 12)
            p.ellipse(x, y, r * 1.3, r, rng.choice(("#5c3b22", "#946645", "#a87a55")))
    with sc.paint(opacity=0.9) as p:  # roots reaching down: growth you cannot see yet
        for dx, length, bend in (
            (-1, 150, -40),
            (1, 170, 50),
            (0, 210, 8),
            (-1, 90, -70),
            (1, 100, 80),
        ):
            pts = [
                (320, soil_top + 12),
                (320 + dx * 12 + bend * 0.3, soil_top + length * 0.4),
                (320 + bend, soil_top + length),
            ]
            p.line(catmull_rom(pts), "#e7d3ad", 4)
    seedling = Motif("1F331", stroke=0.85)
    w = 520
    s = w / 72
    sc.emoji(seedling, w, (320, soil_top + 14 - (63.17 - 36) * s))


def scene_fuldt_loev(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#4fb0e6"), (1, "#d8f0f8")], 0, 560)
    with sc.paint(opacity=0.9) as p:
        cloud(p, 540, 110, 150, "#ffffff")
        cloud(p, 90, 70, 120, "#ffffff")
    with sc.paint() as p:
        p.polygon(ridge(545, [(14, 100, 0.3), (6, 37, 2.2)]), "#b6da7c")
        p.ellipse(320, 960, 560, 370, "#7fbd4a")
    sc.gradient([(0, "#72b342"), (1, "#4b8a2f")], 700, 800)
    with sc.paint() as p:
        p.polygon(ridge(700, [(8, 140, 0.6), (3, 29, 0.9)], bottom=720), "#72b342")
        for _ in range(60):  # meadow flowers
            x, y = rng.uniform(0, W), rng.uniform(640, 795)
            r = 2 + (y - 620) / 60
            p.ellipse(x, y, r, r, rng.choice(("#ffffff", "#fcea2b", "#f6c1d0")))
    with sc.paint(opacity=0.35, blur=8) as p:
        p.ellipse(320, 620, 170, 22, "#2f5e1d")
    sc.emoji(Motif("1F333", stroke=0.75), 600, (320, 626), anchor="bottom")


def scene_efteraar(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#e4824a"), (0.55, "#f2b676"), (1, "#f9dcaa")], 0, 680)
    sc.gradient([(0, "#a36b38"), (1, "#6a4121")], 680, 800)
    with sc.paint() as p:
        p.polygon(ridge(676, [(6, 90, 0.2), (3, 25, 1.0)], bottom=700), "#a36b38")
        for _ in range(90):  # a carpet of fallen leaves
            x, y = rng.uniform(-10, W + 10), rng.uniform(690, 805)
            r = 5 + (y - 680) / 14
            p.ellipse(
                x,
                y,
                r * 1.6,
                r,
                rng.choice(("#d9532b", "#f08a24", "#c99a2e", "#8e3b1f", "#e7b43a")),
            )
    sc.emoji(Motif("1F341", stroke=0.75), 520, (250, 330), angle=-22)
    sc.emoji(Motif("1F342", stroke=0.8), 380, (490, 150), angle=30)
    sc.emoji(Motif("1F343", stroke=0.8), 360, (480, 560), angle=-10)
    sc.emoji(Motif("1F341", stroke=0.9), 230, (95, 600), angle=48)
    sc.emoji(Motif("1F342", stroke=0.9), 190, (80, 100), angle=-35)


def scene_filtret_garn(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#ecd2dc"), (1, "#c497ae")], 0, 800)
    w = 500
    s = w / 72
    ball = (290, 360)  # centre of the ball itself (30.8, 34.8 in the SVG)
    centre = (ball[0] - (30.8 - 36) * s, ball[1] - (34.8 - 36) * s)
    # OpenMoji's short tail is a plain black line; it is replaced by a drawn thread in the
    # same orange as the ball, leaving the ball where the tail did
    tail = (centre[0] + (45.4 - 36) * s, centre[1] + (52.4 - 36) * s)
    # the loose thread: overlapping sine waves of odd frequencies loop back over
    # themselves like a real tangle; it leaves the ball's tail and winds round the card
    phase = [rng.uniform(0, math.tau) for _ in range(4)]
    loops: list[Point] = []
    for i in range(900):
        t = i / 899 * 6.2 * math.pi
        x = 320 + 190 * math.sin(1.0 * t + phase[0]) + 90 * math.sin(3.3 * t + phase[1])
        y = 560 + 130 * math.sin(1.7 * t + phase[2]) + 80 * math.cos(2.9 * t + phase[3])
        loops.append((x, y))
    start = min(range(200), key=lambda i: math.dist(loops[i], tail))
    curve = [
        *catmull_rom([tail, ((tail[0] + loops[start][0]) / 2, tail[1] + 30), loops[start]], 16),
        *loops[start:],
    ]
    with sc.paint(opacity=0.3, blur=6) as p:
        p.ellipse(ball[0], ball[1] + 170, 170, 26, "#6b3b55")
    with sc.paint() as p:
        outlined_line(p, curve, OM_ORANGE, 7)
    sc.emoji(Motif("1F9F6", drop=(m("path", d="M45.1424*"),), stroke=0.8), w, centre)
    with sc.paint() as p:  # one strand crosses over the ball: it is truly tangled
        over = catmull_rom([(120, 300), (260, 420), (400, 330), (470, 470), (380, 600)], 24)
        outlined_line(p, over, OM_ORANGE, 7)


def scene_jonglor(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#24090f"), (0.7, "#3e1320"), (1, "#4f1a28")], 0, 660)
    sc.gradient([(0, "#8a5a3a"), (1, "#43281a")], 660, 800)
    with sc.paint(opacity=0.35) as p:  # floorboards
        for y in (690, 722, 760):
            p.line([(-10, y), (W + 10, y)], "#2e1a10", 2)
    with sc.paint(opacity=0.32, blur=14) as p:  # the spotlight cone
        p.polygon([(270, -10), (370, -10), (560, 720), (80, 720)], "#fff4d6")
    with sc.paint(opacity=0.6, blur=10) as p:
        p.ellipse(320, 712, 250, 46, "#ffe6b0")
    with sc.paint() as p:  # red velvet curtains, gathered at the sides
        for side in (-1, 1):
            edge = W / 2 + side * 250
            outer = W / 2 + side * 340
            pts = [(outer, -10), (edge, -10)]
            pts += [(edge + side * 40 * (y / 700) ** 2, y) for y in range(0, 701, 20)]
            pts += [(outer, 700)]
            p.polygon(pts, "#b3263a")
            for k in range(1, 4):  # folds
                x = edge + side * 22 * k
                p.line([(x, -10), (x + side * (28 + 6 * k), 700)], "#861a2b", 7)
        scallops = [(x, 40 + 14 * math.sin(x / 40 * math.pi) ** 2) for x in range(0, W + 1, 8)]
        p.polygon([(-10, -10), (W + 10, -10), (W + 10, 40), *scallops[::-1], (-10, 40)], "#a11f33")
        p.line([(-10, 12), (W + 10, 12)], "#f1b31c", 4)
    juggler = sc.emoji(Motif("1F939", stroke=0.85), 500, (320, 714), anchor="bottom")
    head = juggler.pt(36, 13)
    with sc.paint() as p:  # many more balls in the air than anyone could keep up
        colours = (
            OM_RED,
            OM_YELLOW,
            OM_BLUE,
            OM_ORANGE,
            OM_PURPLE,
            OM_GREEN,
            OM_LIGHTBLUE,
            OM_RED,
            OM_YELLOW,
        )
        for i, c in enumerate(colours):
            a = math.radians(200 + i * 17.5)
            r = 220 + 20 * (i % 2)
            cx, cy = head[0] + r * math.cos(a), head[1] + 150 + r * math.sin(a)
            p.ellipse(cx, cy, 21, 21, c, outline=OM_LINE, width=4)


def scene_sneglefart(sc: Scene, rng: random.Random) -> None:
    horizon = 390
    sc.gradient([(0, "#cdebe0"), (1, "#f5fbee")], 0, horizon + 10)
    with sc.paint() as p:
        p.polygon(ridge(horizon - 4, [(10, 90, 0.3), (5, 27, 1.6)]), "#b9dca0")
    sc.gradient([(0, "#a7d27b"), (1, "#62a13f")], horizon, 800)

    def drift(z: float) -> float:  # starts at the snail, bends right and away
        return (-170 + 300 * (1 - math.exp(-(z - 1) / 4))) * z

    left, right = perspective_strip(horizon, 830, drift, 190, depth=70)
    with sc.paint() as p:
        p.polygon(left + right[::-1], "#e8d8b0")
    with sc.paint(opacity=0.5) as p:
        p.line(left, "#c2ab78", 3)
        p.line(right, "#c2ab78", 3)
    far = ((left[-1][0] + right[-1][0]) / 2, left[-1][1])
    sc.emoji("1F3C1", 60, (far[0] + 8, far[1] + 4), anchor="bottom")
    with sc.paint(opacity=0.5) as p:  # the shiny trail behind the snail
        p.line([(0, 752), (50, 757), (90, 760)], "#ffffff", 8)
    sc.emoji(Motif("1F40C", stroke=0.75), 540, (260, 775), anchor="bottom")


def scene_raket(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#0e0a2c"), (0.5, "#2b1a5c"), (0.85, "#57308a"), (1, "#7447a0")], 0, 800)
    with sc.paint() as p:
        stars(p, rng, 60, 10, 360)
    rocket = Motif("1F680", stroke=0.85)
    tail = sc.where(rocket, 440, (330, 300), angle=45).pt(14, 58)
    with sc.paint(opacity=0.9, blur=10) as p:  # the exhaust column down to the pad
        p.polygon(
            [
                (tail[0] - 12, tail[1]),
                (tail[0] + 12, tail[1]),
                (tail[0] + 90, 720),
                (tail[0] - 90, 720),
            ],
            "#fff1dc",
        )
    sc.glow(tail[0], tail[1] + 30, 150, "#ffd27a", 0.9)
    sc.emoji(rocket, 440, (330, 300), angle=45)
    with sc.paint() as p:  # billowing smoke at the launch pad
        for cx, cy, w, c in (
            (40, 700, 300, "#d9d3e3"),
            (250, 690, 320, "#eee9f2"),
            (470, 705, 300, "#d9d3e3"),
            (640, 690, 300, "#e6e0ec"),
            (130, 775, 340, "#ffffff"),
            (400, 770, 360, "#f7f4fa"),
            (620, 790, 260, "#ffffff"),
        ):
            cloud(p, cx, cy, w, c)


def _battery_scene(
    sc: Scene, wall: tuple[str, str], table: str, light: Callable[[], None], battery: Motif
) -> None:
    """A battery standing on a table: the wall behind it carries the mood."""
    sc.gradient([(0, wall[0]), (1, wall[1])], 0, 690)
    light()
    sc.gradient([(0, table), (1, mix(table, "#000000", 0.35))], 690, 800)
    with sc.paint(opacity=0.45, blur=10) as p:
        p.ellipse(320, 712, 150, 20, mix(table, "#000000", 0.6))
    sc.emoji(battery, 640, (320, 716), anchor="bottom", angle=90)  # terminal up


def scene_lavt_batteri(sc: Scene, rng: random.Random) -> None:
    def dim() -> None:  # only a faint light is left
        sc.glow(320, 380, 300, "#a08f86", 0.3)

    _battery_scene(sc, ("#4d4446", "#2a2325"), "#3d312b", dim, Motif("1FAAB", stroke=0.8))


def scene_fuldt_opladet(sc: Scene, rng: random.Random) -> None:
    def rays() -> None:  # a burst of light: full of energy
        with sc.paint(opacity=0.3, blur=4) as p:
            for i in range(16):
                a0 = math.radians(i * 22.5)
                a1 = a0 + math.radians(9)
                p.polygon(
                    [
                        (320, 400),
                        (320 + 900 * math.cos(a0), 400 + 900 * math.sin(a0)),
                        (320 + 900 * math.cos(a1), 400 + 900 * math.sin(a1)),
                    ],
                    "#ffffff",
                )
        sc.glow(320, 400, 300, "#ffffe6", 0.9)

    _battery_scene(sc, ("#eef9c4", "#b5df7e"), "#86b852", rays, Motif("1F50B", stroke=0.8))
    sc.emoji("2728", 170, (125, 175))
    sc.emoji("2728", 120, (525, 540), angle=15)


def scene_kompas(sc: Scene, rng: random.Random) -> None:
    sc.gradient([(0, "#f3e4c2"), (1, "#d8ba84")], 0, 800)
    with sc.paint(opacity=0.45) as p:  # contour lines of an old map
        for cx, cy, n in ((130, 170, 6), (540, 650, 7), (560, 130, 4)):
            for k in range(1, n + 1):
                r = 26 * k
                ring = []
                for a in range(0, 361, 10):
                    t = math.radians(a)
                    wob = 1 + 0.12 * math.sin(3 * t + k) + 0.06 * math.sin(5 * t + cx)
                    ring.append((cx + r * wob * math.cos(t), cy + r * 0.8 * wob * math.sin(t)))
                p.line(ring, "#a4793f", 2.5)
    with sc.paint(opacity=0.8) as p:  # a dashed route that wanders across the map
        route = catmull_rom(
            [
                (-10, 720),
                (110, 640),
                (90, 500),
                (200, 420),
                (420, 470),
                (560, 360),
                (500, 240),
                (600, 120),
                (660, 60),
            ],
            20,
        )
        for i in range(0, len(route) - 6, 12):
            p.line(route[i : i + 7], "#b5452f", 5)
    with sc.paint(opacity=0.4, blur=10) as p:
        p.ellipse(335, 640, 200, 28, "#5e4020")
    sc.emoji(Motif("1F9ED", stroke=0.85), 500, (320, 410), angle=-12)


# ---------------------------------------------------------------------------------------
# Arbejdsglæde deck: one motif, large and centred, on a soft colour per theme
# ---------------------------------------------------------------------------------------

# Soft, calm pastels, one per theme (top and bottom of a barely visible grade).
THEME_COLOURS: dict[str, tuple[str, str]] = {
    # nine hues spread round the colour wheel at the same pastel lightness, and one warm
    # neutral for the practical frame of the job
    "mening": ("#f8d6db", "#f2ccd2"),  # rose
    "relationer": ("#f8e4d6", "#f2dccc"),  # apricot
    "balance": ("#f8f1d6", "#f2ebcc"),  # butter
    "udvikling": ("#e4f8d6", "#dcf2cc"),  # spring green
    "trivsel": ("#d6f8e1", "#ccf2d9"),  # mint
    "ledelse": ("#d6f8f8", "#ccf2f2"),  # aqua
    "indflydelse": ("#d6e7f8", "#ccdff2"),  # sky blue
    "opgaver": ("#d8d6f8", "#ceccf2"),  # periwinkle
    "anerkendelse": ("#eed6f8", "#e7ccf2"),  # lilac
    "rammer": ("#ece7df", "#e2dbd0"),  # warm stone
}
MOTIF_BOX = 430  # the visible part of every motif fits this square (card px)


def paint_inspiration(sc: Scene, motif: Motif, theme: str) -> None:
    top, bottom = THEME_COLOURS[theme]
    sc.gradient([(0, top), (1, bottom)])
    sc.glow(320, 400, 380, "#ffffff", 0.3)  # a soft pool of light behind the motif
    # OpenMoji motifs fill their 72x72 grid very unevenly (a heart is wide, an hourglass
    # narrow): scale each one so its visible part fits the same box, and centre that part.
    probe = sc.om.render(motif, 480 * SS)
    bbox = probe.getchannel("A").getbbox() or (0, 0, probe.width, probe.height)
    longest = max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / SS
    width = min(620.0, 480 * MOTIF_BOX / longest)
    # a motif drawn larger would get heavier outlines: keep them at the 480 px weight
    sized = Motif(motif.code, motif.drop, motif.recolour, motif.viewbox, 480 / width)
    sc.emoji(sized, width, (320, 400), anchor="visual")


# ---------------------------------------------------------------------------------------
# The cards
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    slug: str
    title: tuple[str, str]  # (da, en)
    alt: tuple[str, str]  # (da, en): what the picture shows, for screen readers
    theme: str
    codes: tuple[str, ...]  # every OpenMoji hexcode in the image, for the credits
    note: str = ""  # how the picture was made beyond "OpenMoji motif", in Danish
    paint: Callable[[Scene, random.Random], None] | None = None  # status scenes
    motif: Motif | None = None  # inspiration cards

    @property
    def file(self) -> str:
        return f"{self.slug}.webp"

    @property
    def source(self) -> str:
        text = f"OpenMoji {OPENMOJI_VERSION}: {', '.join(self.codes)}"
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class Deck:
    folder: str
    name: tuple[str, str]
    purpose: str
    description: tuple[str, str]
    cards: tuple[Card, ...] = field(default_factory=tuple)


BG = "baggrund tegnet med Pillow"

# The card tables are kept one card per block, not one argument per line.
# In the order they are laid out on the table: light and dark, calm and busy scenes
# alternate, so that no corner of the spread "means" good or bad.
# fmt: off
STATUS_CARDS: tuple[Card, ...] = (
    Card("solopgang", ("Solopgang", "Sunrise"),
         ("Solen står op mellem bjerge i lilla og lyserødt morgenlys",
          "The sun rising between mountains in purple and pink morning light"),
         "begyndelse", ("2600",), f"bjerge og {BG}", scene_solopgang),
    Card("uvejr", ("Uvejr", "Storm"),
         ("En mørk sky med lyn og regn over en mark med et bart træ",
          "A dark cloud with lightning and rain over a field with a bare tree"),
         "pres", ("1FABE", "26C8"), f"skyens hvide underside gjort grå; regn og {BG}", scene_uvejr),
    Card("spire", ("Spire", "Sprout"),
         ("En lille spire, der bryder op af mørk jord, med rødder under",
          "A small sprout breaking out of dark soil, with roots below"),
         "vækst", ("1F331",), f"jord, rødder og {BG}", scene_spire),
    Card("jonglor", ("Jonglør", "Juggler"),
         ("En person på en scene, der jonglerer med mange bolde på én gang",
          "A person on a stage juggling many balls at once"),
         "travlhed", ("1F939",), f"ekstra bolde og {BG}", scene_jonglor),
    Card("medvind", ("Medvind", "Fair wind"),
         ("En sejlbåd med fyldte sejl på et roligt, blåt hav",
          "A sailboat with full sails on a calm blue sea"),
         "fremdrift", ("26F5",), f"vandstriben fjernet; hav, vind og {BG}", scene_medvind),
    Card("taage", ("Tåge", "Fog"),
         ("Grantræer, der næsten forsvinder i tæt, grå tåge",
          "Fir trees almost vanishing in thick grey fog"),
         "uklarhed", ("1F332",), f"tåge og {BG}", scene_taage),
    Card("paa-toppen", ("På toppen", "On top"),
         ("Et rødt flag på toppen af et snedækket bjerg over skyerne",
          "A red flag on top of a snow-capped mountain above the clouds"),
         "succes", ("1F3D4", "1F6A9"), f"skyer og {BG}", scene_paa_toppen),
    Card("filtret-garn", ("Filtret garn", "Tangled yarn"),
         ("Et garnnøgle, hvor tråden er viklet ind i en stor, filtret knude",
          "A ball of yarn whose thread is wound into a big tangle"),
         "kaos", ("1F9F6",),
         f"den korte trådende erstattet af en lang, filtret tråd; {BG}",
         scene_filtret_garn),
    Card("fuldt-opladet", ("Fuldt opladet", "Fully charged"),
         ("Et fuldt opladet batteri, der stråler af lys",
          "A fully charged battery shining with light"),
         "energi", ("1F50B", "2728"), f"lysstråler og {BG}", scene_fuldt_opladet),
    Card("sneglefart", ("Sneglefart", "Snail's pace"),
         ("En snegl ved starten af en lang sti, der snor sig ud mod et mål langt væk",
          "A snail at the start of a long path winding towards a finish far away"),
         "tempo", ("1F3C1", "1F40C"), f"sti og {BG}", scene_sneglefart),
    Card("regnbue", ("Regnbue", "Rainbow"),
         ("En regnbue over en grøn eng, mens regnskyen driver væk",
          "A rainbow over a green meadow as the rain cloud moves away"),
         "håb", ("1F308", "1F326"), f"regnbuen spejlet til en hel bue; {BG}", scene_regnbue),
    Card("lavt-batteri", ("Lavt batteri", "Low battery"),
         ("Et næsten tomt batteri i et dunkelt rum",
          "An almost empty battery in a dim room"),
         "energi", ("1FAAB",), BG, scene_lavt_batteri),
    Card("paa-skinner", ("På skinner", "On track"),
         ("Et damplokomotiv på skinner gennem grønne marker og gule rapsmarker",
          "A steam locomotive on rails through green fields and yellow rapeseed"),
         "stabilitet", ("1F682",), f"skinner, damp og {BG}", scene_paa_skinner),
    Card("efteraar", ("Efterår", "Autumn"),
         ("Orange og brune blade, der falder ned på en skovbund dækket af blade",
          "Orange and brown leaves falling onto ground covered in leaves"),
         "forandring", ("1F341", "1F342", "1F343"), BG, scene_efteraar),
    Card("bro", ("Bro", "Bridge"),
         ("En stor bro over vandet, mens solen står lavt over horisonten",
          "A big bridge over the water with the sun low over the horizon"),
         "forbindelse", ("1F309",),
         f"kun broen, uden den mørkeblå flise og stjernerne; brodæk, vand og {BG}",
         scene_bro),
    Card("raket", ("Raket", "Rocket"),
         ("En raket, der letter mod stjernehimlen fra en sky af røg",
          "A rocket lifting off into the starry sky from a cloud of smoke"),
         "fart", ("1F680",), f"røg og {BG}", scene_raket),
    Card("lang-vej", ("Lang vej", "A long road"),
         ("En snoet vej gennem gule marker helt ud til horisonten, med et vejskilt",
          "A winding road through yellow fields all the way to the horizon, with a signpost"),
         "udholdenhed", ("E094",), f"vej og {BG}", scene_lang_vej),
    Card("fyrtaarn", ("Fyrtårn", "Lighthouse"),
         ("Et hvidt fyrtårn på en klippe, der lyser ud over havet om natten",
          "A white lighthouse on a rock shining out over the sea at night"),
         "tryghed", ("E212",),
         f"malet hvidt og rødt, vandstriben fjernet; lyskegler, klippe og {BG}",
         scene_fyrtaarn),
    Card("fuldt-loev", ("Fuldt løv", "In full leaf"),
         ("Et stort træ med tæt, grønt løv på en bakke om sommeren",
          "A big tree in full green leaf on a hill in summer"),
         "trivsel", ("1F333",), BG, scene_fuldt_loev),
    Card("kompas", ("Kompas", "Compass"),
         ("Et kompas på et gammelt landkort med en stiplet rute",
          "A compass on an old map with a dotted route"),
         "retning", ("1F9ED",), f"landkort og {BG}", scene_kompas),
)
# fmt: on

STATUS = Deck(
    folder="status",
    name=("Status", "Status"),
    purpose="status",
    description=(
        "Vælg 1–3 billeder, der viser, hvordan dit arbejde går lige nu, og fortæl hvorfor.",
        "Pick 1–3 pictures that show how your work is going right now, and tell why.",
    ),
    cards=STATUS_CARDS,
)


def _insp(slug: str, da: str, en: str, theme: str, code: str, alt_da: str, alt_en: str) -> Card:
    return Card(slug, (da, en), (alt_da, alt_en), theme, (code,), BG, motif=Motif(code))


# Ten themes, three to five cards each, grouped by theme as the facilitator reads them.
# fmt: off
ARBEJDSGLAEDE_CARDS: tuple[Card, ...] = (
    _insp("mening", "Mening", "Meaning", "mening", "2764",
          "Et rødt hjerte", "A red heart"),
    _insp("goere-en-forskel", "Gøre en forskel", "Making a difference", "mening", "1F30D",
          "En jordklode med Europa og Afrika", "A globe showing Europe and Africa"),
    _insp("hjaelpe-andre", "Hjælpe andre", "Helping others", "mening", "1F6DF",
          "En rød og hvid redningskrans", "A red and white lifebuoy"),
    _insp("faglighed", "Faglighed", "Professional pride", "udvikling", "1F6E0",
          "En hammer og en skruenøgle over kors", "A hammer and a spanner crossed"),
    _insp("laering", "Læring", "Learning", "udvikling", "1F4DA",
          "En stak bøger", "A stack of books"),
    # not 1F9D7 (person climbing): its rock ends in straight tile edges
    _insp("nye-udfordringer", "Nye udfordringer", "New challenges", "udvikling", "1F3D4",
          "Et højt bjerg med sne på toppen", "A tall mountain with snow on top"),
    _insp("karriere", "Karriere", "Career", "udvikling", "1FA9C",
          "En stige", "A ladder"),
    _insp("indflydelse", "Indflydelse", "Influence", "indflydelse", "1F4E3",
          "En megafon", "A megaphone"),
    _insp("frihed", "Frihed", "Freedom", "indflydelse", "1FA81",
          "En drage, der flyver", "A kite flying"),
    _insp("ansvar", "Ansvar", "Responsibility", "indflydelse", "1F4CB",
          "En skriveplade med et ark papir", "A clipboard with a sheet of paper"),
    _insp("anerkendelse", "Anerkendelse", "Recognition", "anerkendelse", "1F44F",
          "To hænder, der klapper", "Two hands clapping"),
    _insp("feedback", "Feedback", "Feedback", "anerkendelse", "1F4AC",
          "En taleboble", "A speech bubble"),
    _insp("resultater", "Resultater", "Results", "anerkendelse", "1F4C8",
          "Et diagram med en kurve, der går opad", "A chart with a line going up"),
    _insp("succes", "Succes", "Success", "anerkendelse", "1F3C6",
          "En pokal i guld", "A gold trophy"),
    _insp("kolleger", "Kolleger", "Colleagues", "relationer", "1F465",
          "To personer side om side", "Two people side by side"),
    _insp("faellesskab", "Fællesskab", "Belonging", "relationer", "1F9D1-200D-1F91D-200D-1F9D1",
          "To personer, der holder hinanden i hånden", "Two people holding hands"),
    _insp("samarbejde", "Samarbejde", "Collaboration", "relationer", "1F91D",
          "To hænder, der giver hånd", "Two hands shaking"),
    _insp("humor", "Humor", "Humour", "relationer", "1F602",
          "Et ansigt, der griner, så tårerne triller", "A face laughing so hard it cries"),
    _insp("fejring", "Fejring", "Celebration", "relationer", "1F389",
          "En bordbombe med konfetti og serpentiner", "A party popper with confetti and streamers"),
    _insp("tillid", "Tillid", "Trust", "ledelse", "1F511",
          "En nøgle", "A key"),
    _insp("klare-maal", "Klare mål", "Clear goals", "ledelse", "1F3AF",
          "En pil midt i en skydeskive", "An arrow in the centre of a target"),
    _insp("stoette", "Støtte", "Support", "ledelse", "1F64C",
          "To hænder løftet i vejret", "Two hands raised in the air"),
    _insp("retning", "Retning", "Direction", "ledelse", "1F9ED",
          "Et kompas", "A compass"),
    _insp("variation", "Variation", "Variety", "opgaver", "1F3A1",
          "Et pariserhjul", "A Ferris wheel"),
    _insp("kreativitet", "Kreativitet", "Creativity", "opgaver", "1F3A8",
          "En malerpalet med klatter af maling", "A painter's palette with dabs of paint"),
    _insp("nye-ideer", "Nye idéer", "New ideas", "opgaver", "1F4A1",
          "En tændt pære", "A lit light bulb"),
    _insp("fordybelse", "Fordybelse", "Deep focus", "opgaver", "1F50D",
          "Et forstørrelsesglas", "A magnifying glass"),
    _insp("problemloesning", "Problemløsning", "Problem solving", "opgaver", "1F9E9",
          "En puslespilsbrik", "A jigsaw puzzle piece"),
    _insp("ro", "Ro", "Calm", "trivsel", "1F9D8",
          "En person, der mediterer med krydsede ben", "A person meditating cross-legged"),
    _insp("sundhed", "Sundhed", "Health", "trivsel", "1F3C3",
          "En person, der løber", "A person running"),
    _insp("energi", "Energi", "Energy", "trivsel", "1F4AA",
          "En arm, der spænder musklen", "An arm flexing its muscle"),
    _insp("tryghed", "Tryghed", "Feeling safe", "trivsel", "1F54A",
          "En hvid due", "A white dove"),
    _insp("balance", "Balance", "Balance", "balance", "2696",
          "En vægt med to skåle i balance", "A pair of scales in balance"),
    _insp("fleksibilitet", "Fleksibilitet", "Flexibility", "balance", "1F938",
          "En person, der slår vejrmølle", "A person doing a cartwheel"),
    _insp("familie-og-fritid", "Familie og fritid", "Family and free time", "balance", "1F46A",
          "En familie med to voksne og et barn", "A family of two adults and a child"),
    _insp("tid-nok", "Tid nok", "Enough time", "balance", "23F3",
          "Et timeglas, hvor sandet løber", "An hourglass with sand running through"),
    _insp("fysiske-rammer", "Fysiske rammer", "Physical workplace", "rammer", "1F3E2",
          "En kontorbygning", "An office building"),
    _insp("gode-vaerktoejer", "Gode værktøjer", "Good tools", "rammer", "1F4BB",
          "En bærbar computer", "A laptop computer"),
    _insp("loen-og-vilkaar", "Løn og vilkår", "Pay and conditions", "rammer", "1F45B",
          "En pung", "A purse"),
    _insp("jobsikkerhed", "Jobsikkerhed", "Job security", "rammer", "1F6E1",
          "Et skjold", "A shield"),
)
# fmt: on

ARBEJDSGLAEDE = Deck(
    folder="arbejdsglaede",
    name=("Arbejdsglæde", "Job satisfaction"),
    purpose="inspiration",
    description=(
        "Læg kort på de tre rækker: hvad gør dig glad, mindre glad og endnu mere glad "
        "i dit arbejde?",
        "Place cards in the three rows: what makes you happy, less happy and even happier at work?",
    ),
    cards=ARBEJDSGLAEDE_CARDS,
)

DECKS = (STATUS, ARBEJDSGLAEDE)


# ---------------------------------------------------------------------------------------
# rendering, manifests, credits
# ---------------------------------------------------------------------------------------


def render_card(om: OpenMoji, card: Card) -> Image.Image:
    sc = Scene(om)
    if card.paint is not None:
        # a fixed seed per card: rain, stars and leaves fall the same way on every run
        card.paint(sc, random.Random(card.slug))
    elif card.motif is not None:
        paint_inspiration(sc, card.motif, card.theme)
    used = tuple(dict.fromkeys(mo.code for mo in sc.motifs))
    if set(used) != set(card.codes):
        # the credits are written from card.codes: they must name exactly what was drawn
        raise SystemExit(f"{card.slug}: draws {used}, credits {card.codes}")
    return sc.finish()


def save_webp(img: Image.Image, path: Path) -> int:
    buf = io.BytesIO()
    # no exif/icc/xmp: Pillow writes none unless asked, so the files carry no metadata
    img.save(buf, "WEBP", quality=WEBP_QUALITY, method=6)
    data = buf.getvalue()
    path.write_bytes(data)
    return len(data)


def toml_str(text: str) -> str:
    """A TOML basic string (JSON's escaping is a subset TOML accepts)."""
    return json.dumps(text, ensure_ascii=False)


def toml_pair(da: str, en: str) -> str:
    return f"{{ da = {toml_str(da)}, en = {toml_str(en)} }}"


def write_manifest(deck: Deck, folder: Path) -> None:
    lines = [
        "# Generated by cards/build.py: edit the card texts there and re-run it.",
        "",
        "[deck]",
        f"name = {toml_str(deck.name[0])}",
        f"name_en = {toml_str(deck.name[1])}",
        f"purpose = {toml_str(deck.purpose)}",
        'language = "da"',
        f"licence = {toml_str(LICENCE)}",
        f"attribution = {toml_str(ATTRIBUTION)}",
        f"description = {toml_pair(*deck.description)}",
    ]
    for card in deck.cards:
        lines += [
            "",
            "[[cards]]",
            f"file = {toml_str(card.file)}",
            f"title = {toml_pair(*card.title)}",
            f"alt = {toml_pair(*card.alt)}",
            f"theme = {toml_str(card.theme)}",
            f"source = {toml_str(card.source)}",
            f"author = {toml_str(AUTHOR)}",
            f"licence = {toml_str(LICENCE)}",
        ]
    (folder / "deck.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_attribution(out: Path) -> None:
    lines = [
        "# Card images: credits and licence",
        "",
        "<!-- Generated by cards/build.py: edit there and re-run it. -->",
        "",
        "All emojis designed by OpenMoji – the open-source emoji and icon project. "
        "License: CC BY-SA 4.0",
        "",
        f"- OpenMoji {OPENMOJI_VERSION}, <https://openmoji.org>, npm package "
        f"`openmoji@{OPENMOJI_VERSION}`, colour SVGs (`color/svg/<HEXCODE>.svg`).",
        "- Licence: Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0), "
        "<https://creativecommons.org/licenses/by-sa/4.0/>.",
        "",
        "Every image in `status/` and `arbejdsglaede/` is an adaptation of OpenMoji artwork "
        "(rasterised with resvg-py at card size with outline widths evened out, some motifs "
        "cropped, mirrored, recoloured or with parts removed, and composed onto backgrounds "
        "and scenes drawn with Pillow by `build.py`). The card "
        "images are therefore also licensed under **CC BY-SA 4.0**; credit as "
        f'"{ATTRIBUTION}" and share adaptations under the same licence. Changes per card '
        "are noted below and in each deck's `deck.toml` (`source`).",
        "",
        "`build.py` itself is part of the Arbejdsglæde source code and follows the "
        "repository's licence.",
    ]
    for deck in DECKS:
        lines += [
            "",
            f"## {deck.name[0]} (`{deck.folder}/`, {len(deck.cards)} cards)",
            "",
            "| file | title | OpenMoji hexcodes | changes (as in `deck.toml`) |",
            "|---|---|---|---|",
        ]
        for card in deck.cards:
            lines.append(
                f"| `{card.file}` | {card.title[0]} / {card.title[1]} | "
                f"{', '.join(card.codes)} | {card.note or '–'} |"
            )
    (out / "ATTRIBUTION.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--openmoji",
        type=Path,
        default=Path(os.environ.get("OPENMOJI_DIR", DEFAULT_OPENMOJI)),
        help="the installed openmoji npm package folder",
    )
    parser.add_argument("--out", type=Path, default=CARDS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--deck", choices=[d.folder for d in DECKS])
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SLUG",
        help="render only these cards; manifests are left alone",
    )
    args = parser.parse_args(argv)

    om = OpenMoji(args.openmoji)
    started = time.perf_counter()
    for deck in DECKS:
        if args.deck and deck.folder != args.deck:
            continue
        slugs = [c.slug for c in deck.cards]
        if len(set(slugs)) != len(slugs):
            raise SystemExit(f"{deck.folder}: duplicate slug")
        folder = args.out / deck.folder
        folder.mkdir(parents=True, exist_ok=True)
        sizes = []
        for card in deck.cards:
            if args.only and card.slug not in args.only:
                continue
            t0 = time.perf_counter()
            size = save_webp(render_card(om, card), folder / card.file)
            sizes.append(size)
            flag = "  OVER BUDGET" if size > SIZE_BUDGET else ""
            print(
                f"{deck.folder}/{card.file:24} {size / 1024:5.1f} KB "
                f"{time.perf_counter() - t0:5.2f} s{flag}"
            )
        if not args.only:
            write_manifest(deck, folder)
            stale = {p.name for p in folder.glob("*.webp")} - {c.file for c in deck.cards}
            for name in sorted(stale):  # a renamed card must not linger as an orphan
                (folder / name).unlink()
                print(f"{deck.folder}/{name}: removed (no longer in the deck)")
        if sizes:
            print(
                f"{deck.folder}: {len(sizes)} images, {min(sizes) / 1024:.1f}–"
                f"{max(sizes) / 1024:.1f} KB, {sum(sizes) / 1024:.0f} KB in all"
            )
    if not args.only and not args.deck:
        write_attribution(args.out)
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
