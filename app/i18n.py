"""Translations: msgids are English, Danish is the default language, both catalogues complete.

The catalogues are read from the ``.po`` files at start-up, so no compiled ``.mo`` file is
ever out of date or committed.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
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


def format_day(value: date | datetime, lang: str, fmt: str = "long") -> str:
    """``1. december 2026`` in Danish, ``1 December 2026`` in English."""
    if isinstance(value, datetime):
        value = value.astimezone(TIMEZONE).date()
    return format_date(value, format=fmt, locale=babel_locale(lang))


def format_moment(value: datetime, lang: str, fmt: str = "medium") -> str:
    return format_datetime(value, format=fmt, tzinfo=TIMEZONE, locale=babel_locale(lang))
