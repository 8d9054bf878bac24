"""Translations: msgids are English, Danish is the default language, both catalogues complete.

The catalogues are read from the ``.po`` files at start-up, so no compiled ``.mo`` file is
ever out of date or committed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache, lru_cache
from io import BytesIO
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app import PACKAGE_DIR
from app.config import LANGUAGES

LOCALE_DIR = PACKAGE_DIR / "locale"
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}
TIMEZONE = ZoneInfo("Europe/Copenhagen")
LANG_COOKIE = "lang"


@cache
def translations(lang: str) -> Translations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def pick_language(query: str | None, cookie: str | None, default: str) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return default


def translate(lang: str, message: str, **params: Any) -> str:
    text = translations(lang).gettext(message)
    return text % params if params else text


def translate_plural(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(lang).ngettext(singular, plural, n)
    return text % {"n": n, **params}


def babel_locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(lang, "da_DK"))


# A date the app shows always has its month as a word: 01/12/2026 is the first of December to a
# Dane or a Briton and the twelfth of January to an American, and babel's "short" format gives
# exactly that (01.12.2026, 01/12/2026). "long" writes the month in full, "short" abbreviates
# it; no numeric pattern can be asked for.
# "iso" (2026-12-01) is for tables read by date, such as the audit log: unambiguous too.
DAY_FORMATS = {"long": "long", "medium": "medium", "short": "medium", "iso": "yyyy-MM-dd"}
# Between the day and the time of a moment: "1. dec. 2026 kl. 14.30", "1 Dec 2026, 14:30".
MOMENT_JOINS = {"da": "{day} kl. {time}", "en": "{day}, {time}"}


def _local(value: datetime) -> datetime:
    """A moment in Copenhagen time; a naive one (as SQLite gives them back) is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TIMEZONE)


def format_day(value: date | datetime, lang: str, fmt: str = "long") -> str:
    """``1. december 2026`` in Danish, ``1 December 2026`` in English; with ``short``
    ``1. dec. 2026`` and ``1 Dec 2026``."""
    if isinstance(value, datetime):
        value = _local(value).date()
    return format_date(value, format=DAY_FORMATS[fmt], locale=babel_locale(lang))


def format_clock(value: time, lang: str) -> str:
    """A time of day as the language writes it: ``13.30`` in Danish, ``13:30`` in English."""
    return format_time(value, format="short", locale=babel_locale(lang))


def format_moment(value: datetime, lang: str, fmt: str = "short") -> str:
    """``1. dec. 2026 kl. 14.30`` in Danish, ``1 Dec 2026, 14:30`` in English, in Copenhagen
    time; with ``long`` the month is written in full."""
    local = _local(value)
    if fmt == "iso":
        return f"{format_day(local.date(), lang, 'iso')} {local:%H:%M}"
    time = format_time(local, format="short", locale=babel_locale(lang))
    join = MOMENT_JOINS.get(lang, MOMENT_JOINS["da"])
    return join.format(day=format_day(local.date(), lang, fmt), time=time)


# Where a long word on a small card may break (a soft hyphen, shown only when it does): a
# card's title is one or two words at 10 px on a 76 px card, and "Problemløsning" or
# "Responsibility" is wider than that. Browsers hyphenate Danish only with a dictionary that
# a tablet may not have. The syllable rule is the school one: one consonant between vowels
# begins the next syllable, of two or more the last one does, or the last two when they can
# begin a word (dr, bl, st ...). Short words, the first two letters and the last three stay
# whole.
VOWELS = frozenset("aeiouyæøåéü")
ONSETS = {
    "da": frozenset({"bl", "br", "dr", "fl", "fr", "gl", "gr", "kl", "kn", "kr", "pl", "pr"})
    | {"sk", "sl", "sm", "sn", "sp", "st", "sv", "tr"},
    "en": frozenset({"bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "ph", "pl"})
    | {"pr", "sc", "sh", "sk", "sl", "sp", "st", "th", "tr", "wh"},
}
SOFT_HYPHEN = "\u00ad"
LONGEST_WHOLE = 9


def _syllable_breaks(word: str, onsets: frozenset[str]) -> set[int]:
    lower = word.lower()
    vowels = [i for i, ch in enumerate(lower) if ch in VOWELS]
    breaks = set()
    for left, right in pairwise(vowels):
        consonants = lower[left + 1 : right]
        if not consonants or not consonants.isalpha():
            continue
        at = right - 1  # the last consonant begins the next syllable
        if len(consonants) >= 3 and consonants[-2:] in onsets:
            at = right - 2
        if 2 <= at <= len(word) - 3:
            breaks.add(at)
    return breaks


@lru_cache(maxsize=4096)
def hyphenate(text: str, lang: str) -> str:
    """``text`` with soft hyphens where its long words may break across lines. Cached: a deck's
    few titles are asked for on every board render, forty at a time."""
    onsets = ONSETS.get(lang, ONSETS["en"])
    words = []
    for word in text.split(" "):
        if len(word) > LONGEST_WHOLE:
            breaks = _syllable_breaks(word, onsets)
            word = "".join(SOFT_HYPHEN + ch if i in breaks else ch for i, ch in enumerate(word))
        words.append(word)
    return " ".join(words)
