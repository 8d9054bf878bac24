"""One uploaded file judged by its content, never by its name (DESIGN §6), then processed.

Pure over bytes: the staging thread, the CLI and the editor's "replace image" all call it.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, UnidentifiedImageError

from app.decks.zipcheck import FileProblem, UploadLimits, too_large
from app.errors import N_, DomainError
from app.media.pipeline import OPEN_FORMATS, ProcessedImage, process_image

GPS_IFD = 0x8825
_PNG = b"\x89PNG\r\n\x1a\n"
# Markup or script anywhere in an image makes it a polyglot: a browser or another program
# could read it as a page. Six or more fixed bytes: compressed pixels never spell them.
# Matched on the lower-cased bytes, without IGNORECASE: the pattern then starts with a plain
# "<" and the engine leaps from one "<" to the next, milliseconds for a 5 MB photo.
_MARKUP = re.compile(rb"<(?:script|html|svg|iframe|object|embed|body|\?php|!doctype)[\s>/]")


@dataclass(frozen=True)
class KnownImage:
    """An image already stored: the same bytes were uploaded before, or these are the bytes
    of one of its variants (a downloaded deck uploaded again)."""

    sha256: str
    width: int
    height: int


@dataclass(frozen=True)
class Examined:
    name: str
    size: int
    image: ProcessedImage | None = None
    known: KnownImage | None = None
    problem: FileProblem | None = None
    notes: tuple[str, ...] = ()

    @property
    def image_sha256(self) -> str | None:
        if self.known:
            return self.known.sha256
        return self.image.sha256 if self.image else None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def what_else(data: bytes) -> str | None:
    """A friendly word for the common things that are not JPEG, PNG or WebP."""
    head = data[:512]
    lowered = head.lower().lstrip()
    if b"<svg" in lowered or (lowered.startswith(b"<?xml") and b"<svg" in data[:4096].lower()):
        return N_("An SVG drawing, not a photo or picture; save it as PNG first.")
    if lowered.startswith(b"<"):
        return N_("A web page or text file, not an image.")
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypheif", b"ftyphevc"):
        return N_("A HEIC photo (the iPhone's format); export it as JPEG first.")
    if head[4:8] == b"ftyp":
        return N_("A video or another ISO media file, not an image.")
    if head.startswith(b"GIF8"):
        return N_("A GIF image; save it as PNG first.")
    if head.startswith(b"%PDF"):
        return N_("A PDF document, not an image.")
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return N_("A program, not an image; refused.")
    if head.startswith((b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return N_("An archive inside the upload; upload its images instead.")
    return None


def hides_something(data: bytes) -> bool:
    """A polyglot: an image that is also a page, a PDF or a zip."""
    if _MARKUP.search(data.lower()):
        return True
    if b"%PDF-" in data[:1024]:
        return True
    # A zip is read from its end: an image with a zip's end record is a zip too.
    return b"PK\x05\x06" in data[-66_000:] and b"PK\x03\x04" in data


def _looks_like_an_image(data: bytes) -> bool:
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(_PNG)
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


def _notes(data: bytes, max_pixels: int) -> tuple[str, ...]:
    """What processing will change that the facilitator should hear about; raises for an
    image whose header alone is over Pillow's own bomb limit."""
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=OPEN_FORMATS)
    except Image.DecompressionBombError as error:
        found = re.search(r"\((\d+) pixels\)", str(error))
        pixels = int(found.group(1)) if found else 0
        raise DomainError(
            N_("The image has too many pixels (%(mp)d megapixels; at most %(max)d)."),
            mp=round(pixels / 1_000_000),
            max=max_pixels // 1_000_000,
        ) from error
    except (UnidentifiedImageError, OSError, ValueError):
        return ()  # process_image gives the message
    with image:
        if image.mode == "CMYK":
            notes.append(N_("Converted from CMYK (print colours) to screen colours."))
        if image.mode.startswith("I;16") or (data.startswith(_PNG) and data[24:25] == b"\x10"):
            notes.append(N_("Converted from 16 to 8 bits per colour."))
        if image.format in ("PNG", "WEBP") and getattr(image, "n_frames", 1) > 1:
            notes.append(N_("An animated image: the first frame is used."))
        try:
            gps = image.getexif().get_ifd(GPS_IFD)
        except Exception:  # a broken EXIF block is dropped with the rest of the metadata
            gps = {}
        if gps:
            notes.append(N_("Location data (GPS) removed."))
    return tuple(notes)


def examine(
    data: bytes,
    *,
    name: str,
    limits: UploadLimits,
    known: Callable[[str], KnownImage | None] = lambda sha: None,
    process: Callable[..., ProcessedImage] = process_image,
) -> Examined:
    """The file processed into WebP variants, recognised as already stored, or refused."""
    size = len(data)
    if size > limits.max_file_bytes:
        return Examined(name, size, problem=too_large(name, size, limits))
    if size == 0:
        return Examined(name, size, problem=FileProblem(name, N_("The file is empty.")))
    found = known(sha256_of(data))
    if found is not None:
        return Examined(name, size, known=found)
    if not _looks_like_an_image(data):
        message = what_else(data) or N_("Not an image in a supported format (JPEG, PNG or WebP).")
        return Examined(name, size, problem=FileProblem(name, message))
    if hides_something(data):
        return Examined(
            name,
            size,
            problem=FileProblem(
                name,
                N_("The image hides other content (a web page, script or archive); refused."),
            ),
        )
    try:
        notes = _notes(data, limits.max_pixels)
        image = process(data, max_pixels=limits.max_pixels)
    except DomainError as error:
        return Examined(name, size, problem=FileProblem(name, error.message, error.params))
    return Examined(name, size, image=image, notes=notes)
