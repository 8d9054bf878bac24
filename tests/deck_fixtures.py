"""Bad and good deck uploads, made in the test with Pillow and zipfile (no binary fixtures).

Each maker returns bytes; ``make_zip`` packs them, ``BAD_FILES`` names every refusal.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import Engine

from app.decks.zipcheck import UploadLimits
from tests.factories import image_bytes


def photo(
    size: tuple[int, int] = (800, 600),
    *,
    colour: tuple[int, int, int] = (200, 120, 40),
    fmt: str = "JPEG",
    gps: bool = False,
    orientation: int | None = None,
) -> bytes:
    return image_bytes(size, fmt=fmt, colour=colour, gps=gps, orientation=orientation)


def distinct_photos(n: int, size: tuple[int, int] = (640, 800), fmt: str = "JPEG") -> list[bytes]:
    """``n`` different small images (a different colour each, so different hashes)."""
    return [
        photo(size, colour=(20 + 9 * i % 230, 90 + 3 * i % 160, 140), fmt=fmt) for i in range(n)
    ]


def make_zip(
    entries: Iterable[tuple[str | zipfile.ZipInfo, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive, warnings.catch_warnings():
        # Two entries with one name are a case the tests make on purpose.
        warnings.simplefilter("ignore", UserWarning)
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def with_encryption_flag(data: bytes, name: str) -> bytes:
    """The zip with ``name`` marked as encrypted (zipfile cannot write encrypted entries):
    the flag bit set in its local header and in its central directory record."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        end = archive.start_dir
    patched[info.header_offset + 6] |= 0x1
    position = end
    while patched[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack(
            "<HHH", patched[position + 28 : position + 34]
        )
        if patched[position + 46 : position + 46 + name_length] == name.encode():
            patched[position + 8] |= 0x1
        position += 46 + name_length + extra_length + comment_length
    return bytes(patched)


def write_zip(path: Path, entries: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    path.write_bytes(make_zip(entries))
    return path


def symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o120777 << 16) | 0x20
    info.create_system = 3  # Unix: external_attr carries the mode
    return info


def cmyk_jpeg() -> bytes:
    return image_bytes((500, 400), mode="CMYK", colour=(0, 50, 100, 0))


def png_16_bit() -> bytes:
    return image_bytes((500, 400), fmt="PNG", mode="I;16", colour=40000)


def animated(fmt: str = "PNG") -> bytes:
    frames = [Image.new("RGB", (300, 300), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    data = photo((1200, 900))
    return data[: len(data) // 2]


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


def svg_with_xml_prolog() -> bytes:
    return b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def html_page() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def windows_program() -> bytes:
    return b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def elf_program() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def jpeg_with_html() -> bytes:
    """A valid JPEG with a page after its end: a browser sniffing it could run the script."""
    return photo((300, 200)) + b"<html><script>alert(document.cookie)</script></html>"


def jpeg_with_zip() -> bytes:
    """A valid JPEG that is also a valid zip (the zip appended): a classic polyglot."""
    return photo((300, 200)) + make_zip([("evil.html", b"<b>hi</b>")])


def heic_like() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100


def gif() -> bytes:
    return image_bytes((40, 40), fmt="GIF", mode="P", colour=1)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height``: a decompression bomb that must be
    refused from the header, before a pixel is decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def big_noise_jpeg(size: tuple[int, int]) -> bytes:
    """A photo-like JPEG (noise compresses as badly as a real photo)."""
    noise = Image.effect_noise(size, 60).convert("RGB")
    draw = ImageDraw.Draw(noise)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=(0, 0, 255))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class UploadTarget:
    """A fresh database with a facilitator, ready for an upload."""

    engine: Engine
    owner_id: int
    limits: UploadLimits


def upload_target(data_dir: Path) -> UploadTarget:
    from app.accounts import service as accounts
    from app.bootstrap import prepare_database
    from app.db import make_engine, write_session
    from tests.support import PASSWORD, make_settings

    settings = make_settings(data_dir)
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    with write_session(engine) as session:
        owner = accounts.create_user(
            session, email="f@example.org", name="F", role="facilitator", password=PASSWORD
        )
    return UploadTarget(engine, owner.id or 0, UploadLimits.from_settings(settings))


def upload_zip(target: UploadTarget, zip_path: Path) -> None:
    """A zip through the web upload's whole path: zip and content checks, decoding,
    variants, staging, the deck."""
    from app.db import write_session
    from app.decks.upload import service as upload

    with write_session(target.engine) as session, zip_path.open("rb") as stream:
        result = upload.receive_upload(
            session,
            key=upload.new_key(),
            owner_id=target.owner_id,
            files=[upload.IncomingFile(name=zip_path.name, stream=stream)],
            default_name="Bench",
            limits=target.limits,
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
        assert result.status == upload.UploadStatus.imported, result.status


def import_as_upload(zip_path: Path, data_dir: Path) -> None:
    """Both, for a child process that measures memory (light on imports, so it stays honest)."""
    target = upload_target(data_dir)
    upload_zip(target, zip_path)
    target.engine.dispose()
