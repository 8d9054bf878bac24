"""One naming pattern for every download of a record (DESIGN §4): ``MUS 2026-12-01 Mette
Hansen.pdf``, the agreements sheet ``MUS 2026-12-01 Mette Hansen aftaler.pdf``, and so on.

The employee's name is whatever the leader typed, so it is made safe here: no path
separators, quotes or control characters, no bidi overrides (``‮fdp.exe`` would read as
``exe.pdf``), a capped length. The HTTP header carries the name twice (RFC 6266, RFC 5987): an
ASCII fallback for old clients and the real name percent-encoded as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import quote

from app.errors import N_
from app.i18n import translate

PREFIX = "MUS"
# The word after the name, in the record's language; the full record has none.
SUFFIXES = {
    "agreements": N_("agreements"),
    "ics": N_("follow-up"),
    "invitation": N_("invitation"),
    "zip": N_("all conversations"),
}
# Enough for any real name; a long one is cut so that the whole file name stays well under
# the 255 bytes a file system allows (an emoji is 4 bytes in UTF-8).
NAME_CHARS = 60
NAME_BYTES = 120

# Refused by Windows or read as a path, a quoted string's end or an escape somewhere.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# What continues the character before it (an accent, a skin tone, the selector or joiner
# inside an emoji sequence): a cut never falls just before one of these.
_CONTINUING = {"Mn", "Me", "Sk"}
_JOINERS = {"\u200d", "\ufe0e", "\ufe0f"}
_DANISH = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa"})


def _visible(ch: str) -> bool:
    """Format characters go (bidi overrides, zero-width spaces), except the emoji joiner."""
    return ch in _JOINERS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def _continues(text: str, at: int) -> bool:
    ch = text[at]
    return ch in _JOINERS or unicodedata.category(ch) in _CONTINUING or text[at - 1] == "\u200d"


def _cut(name: str) -> str:
    end = len(name)
    while end > NAME_CHARS or len(name[:end].encode()) > NAME_BYTES:
        end -= 1
    # Back to the start of the character the cut fell into, so that no half is left.
    while 0 < end < len(name) and _continues(name, end):
        end -= 1
    return name[:end]


def safe_part(text: str) -> str:
    """A name as a piece of a file name: one line, no separators, at most NAME_CHARS."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in _UNSAFE.sub(" ", text) if _visible(ch))
    text = " ".join(text.split())  # newlines, tabs and Unicode line separators included
    return _cut(text).strip(" .")


def download_name(*, day: date, name: str, lang: str, kind: str, extension: str) -> str:
    """``MUS 2026-12-01 Mette Hansen aftaler.pdf``; ``kind`` picks the word after the name."""
    parts = [PREFIX, day.isoformat(), safe_part(name)]
    if kind in SUFFIXES:
        parts.append(translate(lang, SUFFIXES[kind]))
    return " ".join(part for part in parts if part) + "." + extension


def ascii_fallback(filename: str) -> str:
    """The name for clients that do not read ``filename*``: æ ø å spelt ae oe aa as Danes do
    without them, accents dropped, anything else left out."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    text = unicodedata.normalize("NFKD", stem.translate(_DANISH))
    text = text.encode("ascii", "ignore").decode()
    # Quotes and backslashes would end or escape the quoted string; % is decoded by some.
    text = " ".join(re.sub(r'["\\%;\x00-\x1f\x7f]', "", text).split())
    return text + dot + extension


def content_disposition(filename: str) -> str:
    """RFC 6266: ``attachment; filename="ascii"; filename*=UTF-8''percent-encoded``. Always
    an attachment: a tap saves the file and the app stays on screen."""
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{ascii_fallback(filename)}\"; filename*=UTF-8''{encoded}"
