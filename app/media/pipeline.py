"""The image pipeline: decode within a pixel budget, orient, strip metadata, WebP variants.

Pure functions over bytes (no database, no HTTP), so a worker thread or process can run them.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from io import BytesIO

from PIL import (
    Image,
    ImageOps,
    JpegImagePlugin,
    MpoImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

from app.errors import N_, DomainError

VARIANT_WIDTHS = (320, 640, 1280)
# MPO is what many phone cameras write: a JPEG with extra frames. Only these decoders are
# ever tried, whatever a file calls itself.
_PLUGINS = (JpegImagePlugin, MpoImagePlugin, PngImagePlugin, WebPImagePlugin)
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")  # the JPEG decoder opens MPO files too
ACCEPTED_FORMATS = (*OPEN_FORMATS, "MPO")
WEBP_QUALITY = 80
# libwebp's method trades encoding time for size. The large view is fetched once, on demand,
# and at method 2 it is within 1 % of method 4's size in half the time; thumbnails, loaded
# by the dozen on every deck page, keep the slower, smaller method.
FAST_METHOD_FROM_WIDTH = 1000
EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ProcessedImage:
    sha256: str
    width: int
    height: int
    source_format: str
    animated: bool
    variants: tuple[Variant, ...]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def process_image(
    data: bytes, *, max_pixels: int, widths: tuple[int, ...] = VARIANT_WIDTHS
) -> ProcessedImage:
    """WebP variants of ``data``, or a DomainError that says what is wrong with it."""
    try:
        with warnings.catch_warnings():
            # Our own budget below is the check; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=OPEN_FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise DomainError(N_("Not an image in a supported format (JPEG, PNG or WebP).")) from error
    with image:
        if image.format not in ACCEPTED_FORMATS:
            raise DomainError(N_("Not an image in a supported format (JPEG, PNG or WebP)."))
        width, height = image.size
        # The header's size is checked before a single pixel is decoded.
        if width * height > max_pixels:
            raise DomainError(
                N_("The image has too many pixels (%(mp)d megapixels; at most %(max)d)."),
                mp=round(width * height / 1_000_000),
                max=max_pixels // 1_000_000,
            )
        animated = bool(getattr(image, "is_animated", False))
        source_format = str(image.format)
        swapped = image.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)
        try:
            largest = _decode_oriented(image, max(widths), swapped=swapped)
        except (OSError, ValueError, SyntaxError) as error:
            raise DomainError(N_("The image file is damaged or incomplete.")) from error
    return ProcessedImage(
        sha256=sha256_of(data),
        width=height if swapped else width,
        height=width if swapped else height,
        source_format=source_format,
        animated=animated,
        variants=_variants(largest, widths),
    )


def _decode_oriented(image: Image.Image, max_width: int, *, swapped: bool) -> Image.Image:
    """Decode once (the first frame of an animation), at no more than the largest variant needs."""
    if image.format in ("JPEG", "MPO"):
        width, height = image.size
        final_width = height if swapped else width
        if final_width > max_width:
            # draft() lets libjpeg decode at 1/2, 1/4 or 1/8 scale: far less work for photos.
            factor = final_width / max_width
            image.draft("RGB", (int(width / factor), int(height / factor)))
    image.load()
    oriented = ImageOps.exif_transpose(image) or image
    return _to_rgb(oriented)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit greyscale: scale to 8 bits instead of clipping to white.
        return image.point(lambda v: v / 256).convert("L").convert("RGB")
    return image.convert("RGB")


def _variants(image: Image.Image, widths: tuple[int, ...]) -> tuple[Variant, ...]:
    """One WebP per target width not larger than the image, largest first, each resized
    from the one before it, so the big decode happens once."""
    targets = sorted({w for w in widths if w < image.width} | {min(image.width, max(widths))})
    current = image
    made: list[Variant] = []
    for width in reversed(targets):
        if current.width != width:
            height = max(1, round(current.height * width / current.width))
            current = current.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = BytesIO()
        # No exif= and no icc_profile=: nothing of the source's metadata is written back.
        method = 2 if current.width >= FAST_METHOD_FROM_WIDTH else 4
        current.save(buffer, "WEBP", quality=WEBP_QUALITY, method=method)
        made.append(Variant(width=current.width, height=current.height, data=buffer.getvalue()))
    return tuple(reversed(made))
