"""What an upload holds, read safely: zip bombs, paths and links refused before any byte is
unpacked (DESIGN §6). A name from a zip is only ever a label: nothing is written to disk.

The result is a list of ``Source``: one file each, with its plain name, a way to read its
bytes within the size cap, or the problem that keeps it out.
"""

from __future__ import annotations

import contextlib
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from app.errors import N_, DomainError

MANIFEST = "deck.toml"
MAX_NAME_LENGTH = 200
MAX_MANIFEST_BYTES = 256 * 1024
# Files an operating system puts into a zip of a folder by itself; never meant as cards.
_NOISE = {"thumbs.db", "desktop.ini"}
_NOISE_FOLDERS = {"__macosx"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class UploadLimits:
    """Caps sized so that 60 twelve-megapixel phone photos pass and a bomb does not."""

    max_file_bytes: int = 25 * 1024 * 1024
    # Uncompressed, over the whole zip: a zip bomb is small on the wire and huge unpacked.
    max_total_bytes: int = 800 * 1024 * 1024
    max_entries: int = 500
    # Photos hardly compress (about 1:1); only a bomb shrinks 100 times.
    max_ratio: int = 100
    max_pixels: int = 50_000_000

    @classmethod
    def from_settings(cls, settings: object) -> UploadLimits:
        return cls(
            max_file_bytes=int(getattr(settings, "max_upload_bytes", cls.max_file_bytes)),
            max_total_bytes=int(getattr(settings, "max_request_bytes", cls.max_total_bytes)),
            max_pixels=int(getattr(settings, "max_image_pixels", cls.max_pixels)),
        )


@dataclass(frozen=True)
class FileProblem:
    """Why one file (or the upload, ``file`` then names the upload) is refused: a msgid."""

    file: str
    message: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class Source:
    """One file of an upload: from a zip or picked in the browser."""

    name: str
    size: int
    read: Callable[[], bytes]
    problem: FileProblem | None = None

    @property
    def is_manifest(self) -> bool:
        return self.name == MANIFEST


def _mb(n: int) -> int:
    return max(1, round(n / (1024 * 1024)))


def too_large(name: str, size: int, limits: UploadLimits) -> FileProblem:
    return FileProblem(
        name,
        N_("The file is too large (%(mb)d MB; at most %(max)d MB)."),
        {"mb": _mb(size), "max": _mb(limits.max_file_bytes)},
    )


def plain_name(name: str) -> str:
    """The last part of a browser's file name (some send a path), never a path itself."""
    return re.split(r"[\\/]", name)[-1].strip()


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def read_limited(stream: IO[bytes], name: str, limits: UploadLimits) -> bytes:
    """At most the cap, whatever a header claims: a lying size cannot exhaust memory."""
    data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        problem = too_large(name, len(data), limits)
        raise DomainError(problem.message, 422, **problem.params)
    return data


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Zips without the UTF-8 flag are CP437 by the standard, yet many tools write UTF-8."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def _unsafe_path(raw: str) -> bool:
    parts = raw.replace("\\", "/").split("/")
    return (
        raw.startswith(("/", "\\"))
        or bool(_DRIVE.match(raw))
        or any(part in ("..", ".") for part in parts)
        or bool(_CONTROL.search(raw))
    )


def _is_noise(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return True
    if any(part.lower() in _NOISE_FOLDERS for part in parts[:-1]):
        return True
    last = parts[-1]
    return last.startswith(".") or last.lower() in _NOISE


def _entry_count(stream: IO[bytes]) -> int | None:
    """Entries from the end record, read before zipfile parses the whole central directory
    (which a zip of a million empty entries would make huge)."""
    try:
        end = zipfile._EndRecData(stream)  # type: ignore[attr-defined]
    except OSError:
        return None
    finally:
        stream.seek(0)
    if not end:
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def sources_from_zip(stream: IO[bytes], *, zip_name: str, limits: UploadLimits) -> list[Source]:
    """The files of a zip. Problems of the whole zip (not a zip, too many entries, too much
    unpacked) raise DomainError; a bad entry becomes a Source with its problem."""
    count = _entry_count(stream)
    if count is None:
        raise DomainError(N_("%(file)s is not a valid zip file."), file=zip_name)
    if count > limits.max_entries:
        raise DomainError(
            N_("%(file)s holds too many files (%(n)d; at most %(max)d)."),
            file=zip_name,
            n=count,
            max=limits.max_entries,
        )
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise DomainError(N_("%(file)s is not a valid zip file."), file=zip_name) from error
    if len(infos) > limits.max_entries:
        raise DomainError(
            N_("%(file)s holds too many files (%(n)d; at most %(max)d)."),
            file=zip_name,
            n=len(infos),
            max=limits.max_entries,
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise DomainError(
            N_("%(file)s unpacks to %(mb)d MB; at most %(max)d MB is allowed."),
            file=zip_name,
            mb=_mb(total),
            max=_mb(limits.max_total_bytes),
        )

    entries: list[tuple[zipfile.ZipInfo, str]] = []
    sources: list[Source] = []
    for info in infos:
        raw = _decoded_name(info)
        if _unsafe_path(raw):
            # Shown, never used: the report names the entry as the zip spells it.
            label = _CONTROL.sub("?", raw)[:MAX_NAME_LENGTH]
            sources.append(_refused(label, info, N_("The path points outside the zip; refused.")))
            continue
        if info.is_dir() or _is_noise(raw):
            continue
        entries.append((info, raw))

    # A zip of a folder has every file under that one folder: the folder is not part of
    # the names.
    tops = {raw.split("/", 1)[0] for _, raw in entries if "/" in raw}
    if len(tops) == 1 and all("/" in raw for _, raw in entries):
        prefix = tops.pop() + "/"
        entries = [(info, raw.removeprefix(prefix)) for info, raw in entries]

    seen: set[str] = set()
    for info, name in entries:
        sources.append(_source(archive, info, name, seen, limits))
    return sources


def _refused(name: str, info: zipfile.ZipInfo, message: str, **params: object) -> Source:
    return Source(
        name=name,
        size=info.file_size,
        read=lambda: b"",
        problem=FileProblem(name, message, dict(params)),
    )


def _source(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    seen: set[str],
    limits: UploadLimits,
) -> Source:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return _refused(name, info, N_("A link to another file; links are refused."))
    if "/" in name:
        return _refused(
            name,
            info,
            N_("The file is in a sub-folder; put every image at the top of the zip."),
        )
    if len(name) > MAX_NAME_LENGTH:
        return _refused(name[:MAX_NAME_LENGTH], info, N_("The file name is too long."))
    if name in seen:
        return _refused(name, info, N_("The zip holds two files with this name."))
    seen.add(name)
    if info.flag_bits & 0x1:
        return _refused(name, info, N_("The file is encrypted; zip it without a password."))
    limit = MAX_MANIFEST_BYTES if name == MANIFEST else limits.max_file_bytes
    if info.file_size > limit:
        problem = too_large(name, info.file_size, limits)
        return _refused(name, info, problem.message, **problem.params)
    if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        return _refused(
            name,
            info,
            N_("The file is compressed suspiciously well (%(ratio)d to 1); refused as a zip bomb."),
            ratio=info.file_size // max(info.compress_size, 1),
        )

    def read() -> bytes:
        try:
            with archive.open(info) as stream:
                return read_limited(stream, name, limits)
        except (zipfile.BadZipFile, EOFError, OSError, zipfile.LargeZipFile) as error:
            raise DomainError(N_("The file is damaged inside the zip.")) from error
        except NotImplementedError as error:
            raise DomainError(
                N_("The zip uses a compression method that is not supported.")
            ) from error

    return Source(name=name, size=info.file_size, read=read)


def manifest_text(data: bytes) -> str:
    """deck.toml as text: UTF-8, a byte order mark allowed (some editors write one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(N_("deck.toml is not UTF-8 text.")) from error


def stem(name: str) -> str:
    return PurePosixPath(name).stem
