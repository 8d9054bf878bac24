"""Dates the app shows read one way only, in Danish and in English: the month is a word, never a
number (01/12/2026 is 1 December to a Dane and 12 January to an American). A long word on a small
card breaks between its syllables, not past the card's edge."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from app import PROJECT_DIR
from app.i18n import DAY_FORMATS, format_day, format_moment, hyphenate

# Day, month and year as numbers with any separator: 01/12/2026, 12/1/26, 01.12.2026, 1-12-26.
NUMERIC_DATE = re.compile(r"\b\d{1,4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}\b")
# Dates whose day could be a month: the ones a numeric format makes ambiguous.
DAYS = [date(2026, 12, 1), date(2027, 1, 12), date(2026, 5, 3), date(2026, 10, 10)]


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("fmt", sorted(DAY_FORMATS))
def test_no_day_or_moment_is_written_as_numbers(lang: str, fmt: str) -> None:
    for day in DAYS:
        moment = datetime(day.year, day.month, day.day, 13, 30, tzinfo=UTC)
        for text in (format_day(day, lang, fmt), format_moment(moment, lang, fmt)):
            if fmt == "iso":  # ISO 8601, year first, is read one way only
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", text), text
            else:
                assert not NUMERIC_DATE.search(text), text
            assert str(day.year) in text, text


def test_days_in_danish_and_english() -> None:
    assert format_day(date(2026, 12, 1), "da") == "1. december 2026"
    assert format_day(date(2026, 12, 1), "en") == "1 December 2026"
    assert format_day(date(2026, 12, 1), "da", "short") == "1. dec. 2026"
    assert format_day(date(2026, 12, 1), "en", "short") == "1 Dec 2026"
    assert format_day(date(2027, 1, 12), "en", "short") == "12 Jan 2027"


def test_moments_in_danish_and_english_in_copenhagen_time() -> None:
    winter = datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert format_moment(winter, "da") == "1. dec. 2026 kl. 14.30"
    assert format_moment(winter, "en") == "1 Dec 2026, 14:30"
    assert format_moment(winter, "da", "long") == "1. december 2026 kl. 14.30"
    assert format_moment(winter, "en", "long") == "1 December 2026, 14:30"
    # A naive moment, as SQLite gives it back, is UTC: summer time adds two hours.
    assert format_moment(datetime(2026, 7, 1, 22, 5), "da") == "2. jul. 2026 kl. 00.05"
    assert format_day(datetime(2026, 7, 1, 22, 5), "en") == "2 July 2026"


def test_a_numeric_format_cannot_be_asked_for() -> None:
    with pytest.raises(KeyError):
        format_day(date(2026, 12, 1), "en", "dd/MM/yyyy")


def test_templates_ask_only_for_named_formats() -> None:
    """Every ``| day(...)`` and ``| moment(...)`` in a template names a format that exists."""
    call = re.compile(r"\|\s*(?:day|moment)\(\s*lang\s*(?:,\s*[\"']([^\"']*)[\"'])?\s*\)")
    found = 0
    for path in (PROJECT_DIR / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        calls = list(call.finditer(text))
        assert len(calls) == len(re.findall(r"\|\s*(?:day|moment)\b", text)), path
        for match in calls:
            assert match.group(1) is None or match.group(1) in DAY_FORMATS, (path, match[0])
        found += len(calls)
    assert found


@pytest.mark.parametrize(
    ("lang", "title", "syllables"),
    [
        ("da", "Problemløsning", "Prob-lem-løs-ning"),
        ("da", "Nye udfordringer", "Nye ud-for-drin-ger"),
        ("da", "Jobsikkerhed", "Job-sik-ker-hed"),
        ("da", "Anerkendelse", "Aner-ken-delse"),
        ("en", "Responsibility", "Res-pon-si-bi-lity"),
        ("en", "Pay and conditions", "Pay and con-di-tions"),
        ("da", "Mening", "Mening"),
        ("da", "Gøre en forskel", "Gøre en forskel"),
    ],
)
def test_a_long_word_on_a_card_may_break_between_syllables(
    lang: str, title: str, syllables: str
) -> None:
    hyphenated = hyphenate(title, lang)
    assert hyphenated.replace("\u00ad", "-") == syllables
    assert hyphenated.replace("\u00ad", "") == title
