"""The conversation record in every format (DESIGN §4, §7): PDF text and pages, the agreements
sheet, Markdown, Word, calendar, JSON against its schema."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import unescape
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote

import docx
import jsonschema
import pytest
from docx.oxml.ns import qn
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session

from app import PROJECT_DIR
from app.config import Settings
from app.db import make_engine, write_session
from app.i18n import TIMEZONE
from app.models import User
from app.records.calendar import render_ics
from app.records.document import RecordDocument, make_document
from app.records.docx import render_docx
from app.records.filenames import content_disposition, download_name, safe_part
from app.records.labels import FEEDBACK_LABELS
from app.records.markdown import escape, render_markdown
from app.records.pdf import render_pdf
from tests.record_fixtures import FEEDBACK, NOW, TRICKY, full_conversation, leader, long_note

ARTIFACTS = PROJECT_DIR / "test-artifacts" / "records"
SCHEMA = json.loads((PROJECT_DIR / "docs" / "record-schema.json").read_text())
TODAY = date(2026, 12, 1)


@pytest.fixture
def deck_engine(settings_with_decks: Settings) -> Iterator[Engine]:
    engine = make_engine(settings_with_decks.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(deck_engine: Engine) -> Iterator[Session]:
    with write_session(deck_engine) as session:
        yield session


@pytest.fixture
def boss(db: Session) -> User:
    return leader(db)


def document(db: Session, boss: User, **kwargs: object) -> RecordDocument:
    conversation = full_conversation(db, leader_id=boss.id or 0, **kwargs)  # type: ignore[arg-type]
    return make_document(db, conversation, organisation="Eksempel Kommune", today=TODAY)


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text without line breaks or runs of spaces, to find phrases a PDF wrapped."""
    return re.sub(r"\s+", " ", text)


def save_pages(pdf: bytes, name: str) -> list[Path]:
    """The PDF and its pages as PNG in test-artifacts/records/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}*.png"):
        old.unlink()
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(path), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}*.png"))


def test_pdf_holds_notes_agreements_and_danish_letters_as_text(db: Session, boss: User) -> None:
    doc = document(db, boss)
    pages, text = pdf_text(render_pdf(doc, now=NOW))
    flat = squash(text)
    assert pages >= 2
    assert "Medarbejder Ærø-Øst" in flat and "Leder Åby" in flat
    assert "Eksempel Kommune".upper() in flat
    assert "kantinen; æøå ÆØÅ" in flat
    assert "Aftale 1: Medarbejderen får et kursus" in flat
    assert "Lederens feedback til medarbejderen" in flat
    assert "Fællesskabet bærer os igennem travle uger" in flat
    assert "Underskrifter" in flat and "Dato og underskrift" in flat
    assert "Fortroligt: mellem medarbejder og leder" in flat
    assert f"Side 1 af {pages}" in flat
    assert "KLADDE" not in flat
    save_pages(render_pdf(doc, now=NOW), "record-da")


def test_pdf_in_english_follows_the_conversation_language(db: Session, boss: User) -> None:
    doc = document(db, boss, language="en")
    _, text = pdf_text(render_pdf(doc, now=NOW))
    flat = squash(text)
    assert "Employee development conversation" in flat
    assert "Signatures" in flat and "Confidential: between the employee and the leader" in flat
    assert "1 December 2026" in flat
    # A real clock has microseconds and may be in any zone.
    save_pages(render_pdf(doc, now=datetime.now(TIMEZONE)), "record-en")


def test_unfinished_conversation_is_a_draft_in_every_format(db: Session, boss: User) -> None:
    doc = document(db, boss, finish=False)
    pdf = render_pdf(doc, now=NOW)
    _, text = pdf_text(pdf)
    assert "KLADDE" in text
    assert "KLADDE" in pdf_text(render_pdf(doc, kind="agreements", now=NOW))[1]
    assert "KLADDE" in render_markdown(doc)
    assert "KLADDE" in "\n".join(
        p.text for p in docx.Document(BytesIO(render_docx(doc))).paragraphs
    )
    save_pages(pdf, "record-draft")


def test_emoji_rtl_and_html_come_out_as_text(db: Session, boss: User) -> None:
    doc = document(db, boss, tricky=True)
    pdf = render_pdf(doc, now=NOW)
    flat = squash(pdf_text(pdf)[1])
    # pypdf gives the line in visual order, so the bidi run moves the "<" beside the Arabic.
    for piece in ("🌱", "🎉", "b>HTML</b> & *stjerne* #kode 1. juni"):
        assert piece in flat, piece
    assert all(letter in flat for letter in "שלוםمرحبا")
    save_pages(pdf, "record-tricky")
    markdown = render_markdown(doc)
    assert "\\<b\\>HTML\\</b\\>" in markdown and "\\*stjerne\\*" in markdown
    assert "🌱" in markdown and "שלום" in markdown


def test_long_record_with_twenty_agreements_paginates(db: Session, boss: User) -> None:
    doc = document(db, boss, note=long_note(5000), agreements=20)
    assert all(len(card["note"]) == 5000 for card in doc.view["status_cards"])
    pdf = render_pdf(doc, now=NOW)
    pages, text = pdf_text(pdf)
    flat = squash(text)
    assert pages >= 10
    assert f"Side {pages} af {pages}" in flat
    for n in (1, 10, 20):
        assert f"Aftale {n}: Medarbejderen" in flat
    assert flat.count("teamet.") > 12 * 5000 // 90
    assert len(pdf) < 1_000_000
    save_pages(pdf, "record-long")


def test_agreements_sheet_holds_only_agreements_dates_and_signatures(
    db: Session, boss: User
) -> None:
    doc = document(db, boss, agreements=4)
    pdf = render_pdf(doc, kind="agreements", now=NOW)
    pages, text = pdf_text(pdf)
    flat = squash(text)
    assert pages == 1
    assert "Aftaler fra medarbejderudviklingssamtalen" in flat
    assert "Aftale 4: Medarbejderen" in flat and "Underskrifter" in flat
    assert "Til personalemappen" in flat
    # Nothing of what was said: no notes, no feedback, no cards.
    for said in ("kantinen", "Lederens feedback", "Fællesskabet", "Fra kortene"):
        assert said not in flat, said
    save_pages(pdf, "agreements-sheet")


def test_markdown_has_the_same_content(db: Session, boss: User) -> None:
    doc = document(db, boss)
    markdown = render_markdown(doc)
    assert markdown.startswith("# Medarbejderudviklingssamtale: Medarbejder Ærø-Øst")
    assert "kantinen; æøå ÆØÅ" in markdown
    assert "Aftale 3: Medarbejderen" in markdown
    assert "*Ansvarlig:* Begge" in markdown
    assert "Fællesskabet bærer os" in markdown
    (ARTIFACTS / "record.md").write_text(markdown)


def test_markdown_escape_keeps_text_text() -> None:
    assert escape("1. juni") == "1\\. juni"
    assert escape("- punkt") == "\\- punkt"
    assert escape("<script>") == "\\<script\\>"
    assert escape("en\nto") == "en  \nto"
    assert escape("Ærø-Østergård 2.5") == "Ærø-Østergård 2.5"


def test_docx_reads_back_with_the_same_content(db: Session, boss: User) -> None:
    doc = document(db, boss, tricky=True)
    data = render_docx(doc)
    (ARTIFACTS / "record.docx").write_bytes(data)
    word = docx.Document(BytesIO(data))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(
        cell.text for table in word.tables for row in table.rows for cell in row.cells
    )
    everything = paragraphs + "\n" + cells
    assert "Medarbejderudviklingssamtale" in paragraphs
    assert "Medarbejder Ærø-Øst" in cells
    assert "kantinen; æøå ÆØÅ" in everything
    assert "Aftale 1: Medarbejderen" in cells and TRICKY in cells
    assert "Fællesskabet bærer os" in paragraphs
    assert len(word.inline_shapes) == 3 + 9  # status cards and board cards
    # The agreements table: its header repeats on each page, no row splits across two.
    agreements = next(t for t in word.tables if t.rows[0].cells[0].text == "#")
    assert agreements.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in agreements.rows[1:])
    assert word.core_properties.author == "Leder Åby"


def test_ics_has_a_timed_follow_up_and_all_day_deadlines(db: Session, boss: User) -> None:
    doc = document(db, boss, agreements=8)
    data = render_ics(doc.record, doc.view, now=NOW)
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    follow_up = [e for e in events if str(e["uid"]).endswith("-follow-up@arbejdsglaede")]
    assert len(follow_up) == 1
    start = follow_up[0].decoded("dtstart")
    assert isinstance(start, datetime)
    assert start.tzinfo is not None and str(start.tzinfo) == str(TIMEZONE)
    assert start.date() == date(2027, 6, 1) and start.hour == 9
    assert "Medarbejder Ærø-Øst" in str(follow_up[0]["summary"])
    deadlines = [e for e in events if str(e["uid"]).startswith("agreement-")]
    with_due = [a for a in doc.record["agreements"] if a["due"]]
    assert len(deadlines) == len(with_due) == 6
    for event, agreement in zip(deadlines, with_due, strict=True):
        day = event.decoded("dtstart")
        assert not isinstance(day, datetime) and day.isoformat() == agreement["due"]
        assert str(event["uid"]) == f"agreement-{agreement['id']}@arbejdsglaede"
    assert list(calendar.walk("VTIMEZONE"))
    # The same UIDs again on the next export: a re-import updates instead of duplicating.
    again = Calendar.from_ical(render_ics(doc.record, doc.view, now=NOW))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in events]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"finish": False}, {"agreements": 0}, {"tricky": True, "language": "en"}],
)
def test_json_record_validates_against_the_schema(
    db: Session, boss: User, kwargs: dict[str, object]
) -> None:
    doc = document(db, boss, **kwargs)
    jsonschema.validate(doc.record, SCHEMA)
    assert doc.record["schema"] == "arbejdsglaede.record/1"


def test_record_of_a_finished_conversation_with_earlier_agreements(db: Session, boss: User) -> None:
    first = full_conversation(db, leader_id=boss.id or 0, on=date(2026, 6, 1))
    second = full_conversation(db, leader_id=boss.id or 0, on=date(2026, 12, 1), finish=False)
    assert second.employee_id == first.employee_id
    doc = make_document(db, second, organisation="", today=TODAY)
    jsonschema.validate(doc.record, SCHEMA)
    assert len(doc.record["previous_agreements"]) == 3
    flat = squash(pdf_text(render_pdf(doc, now=NOW))[1])
    assert "Tidligere aftaler, fulgt op" in flat


def screen_feedback_order() -> list[str]:
    """The feedback fields in the order the Feedback step shows them."""
    template = (PROJECT_DIR / "templates" / "conversations" / "feedback.html").read_text()
    return re.findall(r'\(\s*"(\w+)",\s*_\(', template)


def test_record_feedback_follows_the_feedback_step_on_screen() -> None:
    assert len(screen_feedback_order()) == len(FEEDBACK) == 5
    assert list(FEEDBACK_LABELS) == screen_feedback_order()


@pytest.mark.parametrize("language", ["da", "en"])
def test_feedback_comes_in_the_screens_order_in_every_format(
    db: Session, boss: User, language: str
) -> None:
    doc = document(db, boss, language=language)
    word = docx.Document(BytesIO(render_docx(doc)))
    formats = {
        "pdf": squash(pdf_text(render_pdf(doc, now=NOW))[1]),
        "md": render_markdown(doc),
        "docx": "\n".join(p.text for p in word.paragraphs),
    }
    for name, text in formats.items():
        places = [text.index(FEEDBACK[field]) for field in screen_feedback_order()]
        assert places == sorted(places), name


def decoded_filename(header: str) -> str:
    """What a browser saves: ``filename*`` (RFC 5987) wins over the ASCII ``filename``."""
    fields = dict(part.strip().split("=", 1) for part in header.split(";")[1:] if "=" in part)
    charset, _, encoded = fields["filename*"].split("'", 2)
    assert charset == "UTF-8" and fields["filename"].startswith('"')
    return unquote(encoded, encoding="utf-8", errors="strict")


def test_download_names_follow_one_pattern_in_the_records_language() -> None:
    day = date(2026, 12, 1)
    name = "Mette Hansen"
    assert download_name(day=day, name=name, lang="da", kind="pdf", extension="pdf") == (
        "MUS 2026-12-01 Mette Hansen.pdf"
    )
    assert download_name(day=day, name=name, lang="da", kind="agreements", extension="pdf") == (
        "MUS 2026-12-01 Mette Hansen aftaler.pdf"
    )
    assert download_name(day=day, name=name, lang="en", kind="agreements", extension="pdf") == (
        "MUS 2026-12-01 Mette Hansen agreements.pdf"
    )
    assert download_name(day=day, name=name, lang="da", kind="ics", extension="ics") == (
        "MUS 2026-12-01 Mette Hansen opfølgning.ics"
    )


@pytest.mark.parametrize(
    ("typed", "saved", "fallback"),
    [
        ("Mette Hansen", "Mette Hansen", "Mette Hansen"),
        ("Søren Ærø-Åberg", "Søren Ærø-Åberg", "Soeren Aeroe-Aaberg"),
        ("Zoë Müller", "Zoë Müller", "Zoe Muller"),
        ('Jens "Bulldozer" Nielsen', "Jens Bulldozer Nielsen", "Jens Bulldozer Nielsen"),
        ("Anna/Berit\\Carl: A|B?*<x>", "Anna Berit Carl A B x", "Anna Berit Carl A B x"),
        ("Linje\nskift\r\nog\ttab\u2028slut", "Linje skift og tab slut", "Linje skift og tab slut"),
        ("Emil 🌱🎉 👩‍💻", "Emil 🌱🎉 👩‍💻", "Emil"),
        ("Eva\u202efdp.exe", "Evafdp.exe", "Evafdp.exe"),
        ("  ..Ole..  ", "Ole", "Ole"),
        ("%41; semi", "%41; semi", "41 semi"),
        ("\x00\x07", "", ""),
    ],
)
def test_a_typed_name_becomes_a_safe_file_name(typed: str, saved: str, fallback: str) -> None:
    filename = download_name(
        day=date(2026, 12, 1), name=typed, lang="da", kind="pdf", extension="pdf"
    )
    assert filename == " ".join(["MUS 2026-12-01", saved]).strip() + ".pdf"
    header = content_disposition(filename)
    assert header.isascii() and "\n" not in header and "\r" not in header
    assert header.startswith(
        f'attachment; filename="{" ".join(["MUS 2026-12-01", fallback]).strip()}.pdf"; '
    )
    assert decoded_filename(header) == filename


@pytest.mark.parametrize(
    "typed", ["A" * 500, "🌱" * 100, "x\u0301" * 100, "👩‍💻" * 40, "Å" * 59 + "👩‍💻"]
)
def test_a_very_long_name_is_cut_to_a_whole_character(typed: str) -> None:
    part = safe_part(typed)
    assert 0 < len(part) <= 60 and len(part.encode()) <= 120
    whole = unicodedata.normalize("NFC", typed)
    assert whole.startswith(part)
    # Cut between characters: neither an accent nor an emoji's joiner is split off.
    assert part[-1] != "\u200d" and whole[len(part) :][:1] not in ("\u200d", "\u0301", "\ufe0f")
    filename = download_name(
        day=date(2026, 12, 1), name=typed, lang="da", kind="ics", extension="ics"
    )
    assert len(filename.encode()) < 200
    assert decoded_filename(content_disposition(filename)) == filename


@pytest.mark.parametrize(
    ("language", "said"),
    [("da", "Rettet den 3. december 2026"), ("en", "Corrected on 3 December 2026")],
)
def test_a_corrected_record_says_so_beside_the_date_in_every_format(
    db: Session, boss: User, language: str, said: str
) -> None:
    conversation = full_conversation(db, leader_id=boss.id or 0, language=language)
    # Late on 2 December in UTC is 3 December in Copenhagen, where the leader works.
    conversation.corrected_at = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    db.add(conversation)
    db.flush()
    db.refresh(conversation)  # read back as SQLite stores it
    doc = make_document(db, conversation, organisation="Eksempel Kommune", today=TODAY)
    assert doc.record["conversation"]["corrected_at"] == "2026-12-02T23:30:00+00:00"
    jsonschema.validate(doc.record, SCHEMA)
    date_line = next(line for line in render_markdown(doc).splitlines() if doc.view["date"] in line)
    assert date_line.endswith(said)
    word = docx.Document(BytesIO(render_docx(doc)))
    (date_cell,) = [c for r in word.tables[0].rows for c in r.cells if doc.view["date"] in c.text]
    assert date_cell.text.endswith(said)
    for kind in ("record", "agreements"):
        pdf = render_pdf(doc, kind=kind, now=NOW)
        first_page = squash(PdfReader(BytesIO(pdf)).pages[0].extract_text())
        assert said in first_page and first_page.index(said) > first_page.index(doc.view["date"])
        save_pages(pdf, f"corrected-{kind}-{language}")


def test_an_uncorrected_record_says_nothing_of_corrections(db: Session, boss: User) -> None:
    doc = document(db, boss)
    assert doc.record["conversation"]["corrected_at"] is None
    assert doc.view["corrected"] == ""
    assert "Rettet" not in render_markdown(doc)
    assert "Rettet" not in pdf_text(render_pdf(doc, now=NOW))[1]


# 01/12/2026, 1.12.2026, 01-12-26: a day and a month that a reader can swap.
NUMERIC_DATE = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")


@pytest.mark.parametrize(
    ("language", "day", "due"),
    [("da", "1. december 2026", "31. dec. 2026"), ("en", "1 December 2026", "31 Dec 2026")],
)
def test_dates_are_written_out_in_every_format(
    db: Session, boss: User, language: str, day: str, due: str
) -> None:
    doc = document(db, boss, language=language)
    word = docx.Document(BytesIO(render_docx(doc)))
    calendar = Calendar.from_ical(render_ics(doc.record, doc.view, now=NOW))
    texts = {
        "pdf": squash(pdf_text(render_pdf(doc, now=NOW))[1]),
        "sheet": squash(pdf_text(render_pdf(doc, kind="agreements", now=NOW))[1]),
        "md": render_markdown(doc),
        "docx": "\n".join(
            [p.text for p in word.paragraphs]
            + [c.text for t in word.tables for r in t.rows for c in r.cells]
        ),
        "ics": "\n".join(str(e.get("description", "")) for e in calendar.walk("VEVENT")),
    }
    for name, text in texts.items():
        assert NUMERIC_DATE.findall(text) == [], name
        assert day in text and due in text, name


# A 60-letter word, a long link and a long area name: none of them may run past a column.
LONG_WORD = "Kompetenceudviklingsforløbsplanlægningsværktøjsintroduktions"
LINK = "https://intranet.eksempel.dk/hr/mus/aftaler/2026/kompetenceudvikling?medarbejder=12345&forloeb=vaerktoejskursus-efteraar"
LONG_AREA = "Arbejdsmiljøorganisationsudviklingsprojektet"
A4 = (595.28, 841.89)
CM = 72 / 2.54


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def page_words(pdf: bytes, tmp_path: Path) -> list[list[Word]]:
    """Every word of every page with its box (poppler's pdftotext -bbox), top to bottom."""
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', page)
        assert size and (float(size[1]), float(size[2])) == pytest.approx(A4, abs=0.5)
        pages.append(
            [
                Word(unescape(m[5]), *(float(m[i]) for i in range(1, 5)))
                for m in re.finditer(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"(.*?)</word>",
                    page,
                )
            ]
        )
    return pages


def agreement_text(i: int) -> str:
    """Rows of two to ten lines, some with the long word or the link, each ending in a mark."""
    n = i + 1
    extra = [(LONG_WORD, LINK, "")[i % 3]] + ["Vi aftaler, hvordan det følges op på teammødet."] * (
        i % 7
    )
    words = " ".join(word for word in extra if word)
    return f"Aftale {n}: Medarbejderen får et kursus i værktøjet. {words} Slut{n}."


def where(pages: list[list[Word]], text: str) -> list[tuple[int, Word]]:
    return [(number, w) for number, page in enumerate(pages) for w in page if w.text == text]


@pytest.mark.parametrize("kind", ["record", "agreements"])
def test_forty_agreements_wrap_in_their_columns_and_keep_rows_whole_under_a_header(
    db: Session, boss: User, kind: str, tmp_path: Path
) -> None:
    doc = document(
        db,
        boss,
        agreements=40,
        agreement_text=agreement_text,
        area=lambda i: LONG_AREA if i % 4 == 1 else "Faglighed",
    )
    pdf = render_pdf(doc, kind=kind, now=NOW)
    save_pages(pdf, f"forty-agreements-{kind}")
    pages = page_words(pdf, tmp_path)
    assert len(pages) >= 3
    # Nothing past the margins (2 cm each side), the 60-letter word and the link included.
    for number, page in enumerate(pages):
        for w in page:
            assert w.x0 >= 2 * CM - 1 and w.x1 <= A4[0] - 2 * CM + 1, (number, w)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "record.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Words of letters may be hyphenated at a line's end (a soft hyphen in the PDF's text, so
    # a copy has none); the link is never given a hyphen.
    assert LINK in text.replace("\n", "")
    unhyphenated = text.replace("\u00ad\n", "").replace("\n", "")
    assert LONG_WORD in unhyphenated and LONG_AREA in unhyphenated
    # Each row on one page: its first words and its closing mark together.
    starts = [
        (number, w)
        for number, page in enumerate(pages)
        for w, after in pairwise(page)
        if w.text == "Aftale" and re.fullmatch(r"\d+:", after.text)
    ]
    assert len(starts) == 40
    for n in range(1, 41):
        (start_page, _), (end_page, _) = starts[n - 1], *where(pages, f"Slut{n}.")
        assert start_page == end_page, n
    # Every page with a row starts the table with its header, above the rows.
    for number in {page for page, _ in starts}:
        headers = [w for page, w in where(pages, "Ansvarlig") if page == number]
        rows = [w for page, w in starts if page == number]
        assert headers and headers[0].y1 < min(w.y0 for w in rows), number


def test_a_row_taller_than_a_page_breaks_rather_than_running_off_it(
    db: Session, boss: User, tmp_path: Path
) -> None:
    tall = "Aftale 1:\n" + "\n".join(f"Linje{n}" for n in range(1, 121))
    doc = document(db, boss, agreements=2, agreement_text=lambda i: tall if i == 0 else "Kort.")
    pdf = render_pdf(doc, kind="agreements", now=NOW)
    pages = page_words(pdf, tmp_path)
    lines = [(number, w) for n in range(1, 121) for number, w in where(pages, f"Linje{n}")]
    assert len(lines) == 120 and len({number for number, _ in lines}) >= 2
    assert all(w.y1 <= A4[1] - 2.2 * CM for _, w in lines)
    for number in {number for number, _ in lines}:
        assert where(pages, "Ansvarlig")[0][0] <= number
        assert any(w.text == "Ansvarlig" for w in pages[number]), number
    save_pages(pdf, "tall-agreement")


def test_long_words_in_notes_and_feedback_stay_on_the_page(
    db: Session, boss: User, tmp_path: Path
) -> None:
    doc = document(db, boss, note=f"{LONG_WORD} {LINK} {'x' * 90}")
    pages = page_words(render_pdf(doc, now=NOW), tmp_path)
    outside = [
        (number, w)
        for number, page in enumerate(pages)
        for w in page
        if w.x0 < 2 * CM - 1 or w.x1 > A4[0] - 2 * CM + 1
    ]
    assert outside == []
