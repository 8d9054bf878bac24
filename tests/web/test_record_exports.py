"""Exports and the employee's copy link over HTTP (DESIGN §4, §6, §7): formats, ownership,
the audit log, link expiry and revocation with the injected clock."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from urllib.parse import quote

import docx
import jsonschema
import pytest
from icalendar import Calendar
from pypdf import PdfReader

from app import PROJECT_DIR
from app.db import write_session
from tests.record_fixtures import full_conversation
from tests.support import PARTIAL, Client, FakeClock, add_user, engine_of
from tests.support.record_pages import audit, setup, share_link

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

SCHEMA = json.loads((PROJECT_DIR / "docs" / "record-schema.json").read_text())


def test_every_format_downloads_and_is_audit_logged(decks_client: Client) -> None:
    c = setup(decks_client)
    base = f"/conversations/{c.id}"
    pdf = decks_client.get(f"{base}/export.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "private, no-store"
    assert "Medarbejder Ærø-Øst" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    sheet = decks_client.get(f"{base}/agreements.pdf")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    md = decks_client.get(f"{base}/export.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"]
    assert "kantinen; æøå ÆØÅ" in md.text
    word = docx.Document(io.BytesIO(decks_client.get(f"{base}/export.docx").content))
    assert any("Medarbejderudviklingssamtale" in p.text for p in word.paragraphs)
    ics = decks_client.get(f"{base}/followup.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert len(list(Calendar.from_ical(ics.content).walk("VEVENT"))) == 1 + 3
    record = decks_client.get(f"{base}/export.json").json()
    jsonschema.validate(record, SCHEMA)
    formats = [e.format for e in audit(decks_client) if e.action == "export"]
    assert formats == ["pdf", "agreements", "md", "docx", "ics", "json"]
    assert all(e.user_id and e.conversation_id == c.id for e in audit(decks_client))


NAME = "MUS 2026-12-01 Medarbejder Ærø-Øst"
FALLBACK = "MUS 2026-12-01 Medarbejder Aeroe-Oest"


def attachment(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def test_every_download_has_the_same_name_pattern_and_is_saved_not_opened(
    decks_client: Client,
) -> None:
    c = setup(decks_client)
    names = {
        "export.pdf": ".pdf",
        "agreements.pdf": " aftaler.pdf",
        "export.docx": ".docx",
        "export.md": ".md",
        "export.json": ".json",
        "followup.ics": " opfølgning.ics",
    }
    for path, ending in names.items():
        response = decks_client.get(f"/conversations/{c.id}/{path}")
        fallback = FALLBACK + ending.replace("ø", "oe")
        assert response.headers["content-disposition"] == attachment(NAME + ending, fallback)
        assert response.headers["cache-control"] == "private, no-store"
    path = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    decks_client.cookies.clear()
    copy = decks_client.get(path + "/record.pdf")
    assert copy.headers["content-disposition"] == attachment(NAME + ".pdf", FALLBACK + ".pdf")
    assert copy.headers["cache-control"] == "private, no-store"


def test_the_wrap_up_downloads_instead_of_leaving_the_app(decks_client: Client) -> None:
    c = setup(decks_client)
    page = decks_client.get(f"/conversations/{c.id}/slut")
    paths = ("export.pdf", "agreements.pdf", "export.md", "export.docx", "export.json")
    for path in (*paths, "followup.ics"):
        assert re.search(rf'href="/conversations/{c.id}/{path}"[^>]* download[ >]', page.text), path
    panel = decks_client.get(f"/conversations/{c.id}/share", headers=PARTIAL).text
    assert re.search(rf'href="/employees/{c.employee_id}/records.zip" download>', panel)
    path = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    decks_client.cookies.clear()
    assert re.search(r'href="/r/[a-z2-9]{12}/record.pdf" download>', decks_client.get(path).text)


def test_another_leaders_record_is_not_found(decks_client: Client) -> None:
    c = setup(decks_client)
    add_user(decks_client, "anden@example.org")
    decks_client.login("anden@example.org")
    for path in ("export.pdf", "agreements.pdf", "export.md", "export.docx", "followup.ics"):
        assert decks_client.get(f"/conversations/{c.id}/{path}").status_code == 404, path
    assert decks_client.get(f"/employees/{c.employee_id}/records.zip").status_code == 404
    assert decks_client.get(f"/conversations/{c.id}/share").status_code == 404
    assert audit(decks_client) == []


def test_summary_page_offers_the_documents_and_says_which_is_which(decks_client: Client) -> None:
    c = setup(decks_client)
    page = decks_client.get(f"/conversations/{c.id}/slut?lang=en").text
    for href in ("export.pdf", "agreements.pdf", "export.md", "export.docx", "followup.ics"):
        assert f"/conversations/{c.id}/{href}" in page
    assert "For the personnel file" in page and "does not go in the personnel file" in page
    assert f'hx-get="/conversations/{c.id}/share"' in page


def test_unfinished_conversation_cannot_be_shared(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    fragment = decks_client.get(f"/conversations/{c.id}/share?lang=en", headers=PARTIAL).text
    assert "When the conversation is finished" in fragment
    refused = decks_client.post(
        f"/conversations/{c.id}/share?lang=en",
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert refused.status_code == 422 and "Finish the conversation first" in refused.text


def test_employee_copy_link_opens_downloads_and_expires(
    decks_client: Client, clock: FakeClock
) -> None:
    c = setup(decks_client)
    url = share_link(decks_client, c.id or 0)
    assert re.fullmatch(r"http://testserver/r/[a-z2-9]{12}", url)
    path = url.removeprefix("http://testserver")
    decks_client.cookies.clear()  # the employee's phone: nobody logged in
    page = decks_client.get(path + "?lang=en")
    assert page.status_code == 200 and "Your copy of the conversation" in page.text
    pdf = decks_client.get(path + "/record.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Medarbejder Ærø-Øst" in text and "KLADDE" not in text
    # The default lifetime is 7 days.
    clock.advance(days=6, hours=23)
    assert decks_client.get(path).status_code == 200
    clock.advance(hours=2)
    gone = decks_client.get(path + "/record.pdf")
    assert gone.status_code == 410
    assert "Dette link er udløbet." in gone.text and "This link has expired." in gone.text
    actions = [(e.action, e.user_id) for e in audit(decks_client)]
    assert actions == [
        ("share_created", actions[0][1]),
        ("share_opened", None),
        ("share_downloaded", None),
        ("share_opened", None),
        ("share_refused_expired", None),
    ]


def test_revoked_link_says_so_in_both_languages(decks_client: Client) -> None:
    c = setup(decks_client)
    path = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    fragment = decks_client.post(
        f"/conversations/{c.id}/share/revoke",
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert "Vis en QR-kode til medarbejderen" in fragment.text
    gone = decks_client.get(path)
    assert gone.status_code == 410
    assert "Dette link er trukket tilbage." in gone.text
    assert "This link has been withdrawn." in gone.text
    assert decks_client.get("/r/aaaaaaaaaaaa").status_code == 404
    assert decks_client.get("/r/x").status_code == 404
    assert "share_refused_revoked" in [e.action for e in audit(decks_client)]


def test_a_new_link_replaces_the_old_one(decks_client: Client) -> None:
    c = setup(decks_client)
    first = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    second = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    assert first != second
    assert decks_client.get(first).status_code == 410
    assert decks_client.get(second).status_code == 200


def test_share_without_htmx_redirects_to_its_page(decks_client: Client) -> None:
    c = setup(decks_client)
    response = decks_client.post_form(f"/conversations/{c.id}/share", {}, follow_redirects=False)
    assert response.status_code == 303
    page = decks_client.get(response.headers["location"])
    assert page.text.startswith("<!doctype html>") and "/r/" in page.text


def test_link_lifetime_is_a_setting(decks_client: Client, clock: FakeClock) -> None:
    decks_client.app.state.settings.share_link_days = 1
    c = setup(decks_client)
    path = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    clock.advance(days=1, seconds=1)
    assert decks_client.get(path).status_code == 410


def test_batch_export_zips_every_record_of_the_employee(decks_client: Client) -> None:
    c = setup(decks_client)
    engine = engine_of(decks_client)
    with write_session(engine) as session:
        full_conversation(session, leader_id=c.leader_id, on=date(2027, 6, 1), finish=False)
    response = decks_client.get(f"/employees/{c.employee_id}/records.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == attachment(
        "MUS 2026-12-01 Medarbejder Ærø-Øst alle samtaler.zip",
        "MUS 2026-12-01 Medarbejder Aeroe-Oest alle samtaler.zip",
    )
    names = sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert names == [
        f"{NAME}.json",
        f"{NAME}.md",
        f"{NAME}.pdf",
        "MUS 2027-06-01 Medarbejder Ærø-Øst.json",
        "MUS 2027-06-01 Medarbejder Ærø-Øst.md",
        "MUS 2027-06-01 Medarbejder Ærø-Øst.pdf",
    ]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    for name in names:
        if name.endswith(".json"):
            jsonschema.validate(json.loads(archive.read(name)), SCHEMA)
    events = [e for e in audit(decks_client) if e.action == "batch_export"]
    assert len(events) == 3 and all(e.employee_id == c.employee_id for e in events)


@pytest.mark.parametrize("path", ["export.pdf", "followup.ics"])
def test_exports_are_not_taken_by_the_step_route(decks_client: Client, path: str) -> None:
    c = setup(decks_client)
    response = decks_client.get(f"/conversations/{c.id}/{path}")
    assert response.status_code == 200
    assert not response.headers["content-type"].startswith("text/html")


def test_two_records_of_one_day_keep_apart_in_the_zip(decks_client: Client) -> None:
    c = setup(decks_client)
    with write_session(engine_of(decks_client)) as session:
        full_conversation(session, leader_id=c.leader_id, on=c.date, finish=False)
    response = decks_client.get(f"/employees/{c.employee_id}/records.zip?lang=en")
    assert "all%20conversations.zip" in response.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert f"{NAME}.pdf" in names and f"{NAME} (2).pdf" in names and len(set(names)) == 6


@pytest.mark.parametrize(
    ("lang", "day", "until"),
    [
        ("da", "den 1. december 2026.", "indtil 8. december 2026 kl. 10.00."),
        ("en", "on 1 December 2026.", "until 8 December 2026 at 10:00."),
    ],
)
def test_the_copy_and_its_panel_write_dates_out(
    decks_client: Client, lang: str, day: str, until: str
) -> None:
    c = setup(decks_client)
    path = share_link(decks_client, c.id or 0).removeprefix("http://testserver")
    panel = decks_client.get(f"/conversations/{c.id}/share?lang={lang}", headers=PARTIAL).text
    assert until.removesuffix(".") in panel
    decks_client.cookies.clear()
    page = decks_client.get(f"{path}?lang={lang}").text
    assert day in page and until in page
    assert not re.search(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b", page)
