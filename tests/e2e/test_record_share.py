"""The wrap-up's documents in real Chromium (DESIGN §4): export links, the QR code and short
link for the employee's phone, the public copy page, and the summary printed from the browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.db import make_engine, write_session
from app.models import User
from app.records import share
from tests.browser import ARTIFACTS, LiveServer, log_in, screenshot, serious_axe_violations
from tests.record_fixtures import full_conversation
from tests.support import PASSWORD

LEADER = "leder.records@example.org"


def finished_conversation(server: LiveServer) -> int:
    """A finished conversation made through the services, straight into the server's database."""
    if not server.env.get("E2E_RECORDS_LEADER"):
        server.cli(
            "create-user", "--email", LEADER, "--name", "Leder Åby", "--role", "leader",
            stdin=PASSWORD,
        )  # fmt: skip
        server.env["E2E_RECORDS_LEADER"] = "1"
    engine = make_engine(f"sqlite:///{server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        leader = session.exec(select(User).where(User.email == LEADER)).one()
        conversation = full_conversation(session, leader_id=leader.id or 0, language="en")
        cid = conversation.id or 0
    engine.dispose()
    return cid


def test_wrap_up_offers_documents_and_a_qr_code_for_the_employee(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    cid = finished_conversation(live_server)
    log_in(page, live_server, email=LEADER)
    page.goto(f"{live_server.url}/conversations/{cid}/slut?lang=en")
    records = page.get_by_role("region", name="Record and copies")
    expect(records.get_by_role("heading", name="For the personnel file")).to_be_visible()
    sheet = records.get_by_role("link", name="Agreements sheet (PDF)")
    full = records.get_by_role("link", name="Record (PDF)")
    for link in (sheet, full, records.get_by_role("link", name="Word")):
        response = httpx.get(
            live_server.url + (link.get_attribute("href") or ""),
            cookies={c["name"]: c["value"] for c in page.context.cookies()},
        )
        assert response.status_code == 200
    # The employee-copy panel is loaded by htmx after the page.
    show = page.get_by_role("button", name="Show a QR code for the employee")
    expect(show).to_be_visible()
    assert serious_axe_violations(page) == []
    show.click()
    qr = page.locator("#share-area .share-qr svg")
    expect(qr).to_be_visible()
    link = page.locator("#share-area .share-link a")
    url = link.inner_text()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/r/[a-z2-9]{{12}}", url)
    assert serious_axe_violations(page) == []
    screenshot(page, "records-wrap-up-qr")

    # The employee's phone: no login, a small screen, the short link typed or scanned.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        employee = phone.new_page()
        employee.goto(url + "?lang=en")
        expect(
            employee.get_by_role("heading", name="Your copy of the conversation")
        ).to_be_visible()
        download = employee.get_by_role("link", name="Download the record (PDF)")
        pdf = httpx.get(live_server.url + (download.get_attribute("href") or ""))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert serious_axe_violations(employee) == []
        screenshot(employee, "records-employee-phone")

        # Withdrawn on the tablet: the phone gets a clear page in both languages.
        page.get_by_role("button", name="Withdraw the link").click()
        expect(page.get_by_role("button", name="Show a QR code for the employee")).to_be_visible()
        employee.goto(url)
        expect(
            employee.get_by_role("heading", name="Dette link er trukket tilbage.")
        ).to_be_visible()
        expect(employee.get_by_text("This link has been withdrawn.")).to_be_visible()
        screenshot(employee, "records-employee-withdrawn")
    finally:
        phone.close()


def test_summary_prints_without_the_tablet_controls(page: Page, live_server: LiveServer) -> None:
    cid = finished_conversation(live_server)
    log_in(page, live_server, email=LEADER)
    page.goto(f"{live_server.url}/conversations/{cid}/slut?lang=en")
    expect(page.get_by_role("button", name="Show a QR code for the employee")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Agenda")).to_be_hidden()
    expect(page.get_by_role("region", name="Record and copies")).to_be_hidden()
    expect(page.get_by_role("heading", name="Agreements", exact=True).first).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "records-summary-print.pdf"), format="A4")
    screenshot(page, "records-summary-print")


def leader_id(session: Session) -> int:
    return session.exec(select(User).where(User.email == LEADER)).one().id or 0


def share_path(server: LiveServer, conversation_id: int) -> str:
    """A live link to the employee's copy, made through the service."""
    engine = make_engine(f"sqlite:///{server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        link = share.create_share(
            session,
            leader_id=leader_id(session),
            conversation_id=conversation_id,
            now=datetime.now(UTC),
            days=7,
        )
        token = link.token
    engine.dispose()
    return f"/r/{token}"


def revoke(server: LiveServer, conversation_id: int) -> None:
    engine = make_engine(f"sqlite:///{server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        share.revoke_share(
            session,
            leader_id=leader_id(session),
            conversation_id=conversation_id,
            now=datetime.now(UTC),
        )
    engine.dispose()


def overflow(page: Page) -> list[str]:
    """Empty when the page does not scroll sideways; else the elements that stick out."""
    return list(
        page.evaluate(
            """() => document.documentElement.scrollWidth <= window.innerWidth ? [] :
            [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map(e => `${e.tagName.toLowerCase()}.${e.className}`)
              .concat([`scrollWidth ${document.documentElement.scrollWidth}`])"""
        )
    )


@pytest.mark.parametrize(("width", "height"), [(390, 844), (360, 740)], ids=["390x844", "360x740"])
def test_the_employees_copy_is_made_for_a_phone(
    browser: Browser, live_server: LiveServer, width: int, height: int
) -> None:
    """The copy page is the employee's, on their own phone (DESIGN §5): no sideways scrolling,
    a big download button that saves the file, text readable without zooming."""
    cid = finished_conversation(live_server)
    path = share_path(live_server, cid)
    phone = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, locale="da-DK"
    )
    try:
        employee = phone.new_page()
        for lang in ("da", "en"):
            employee.goto(f"{live_server.url}{path}?lang={lang}")
            heading = employee.get_by_role("heading", level=1)
            expect(heading).to_be_visible()
            screenshot(employee, f"records-copy-{lang}-{width}x{height}")
            assert overflow(employee) == [], lang
            name = "Hent referatet (PDF)" if lang == "da" else "Download the record (PDF)"
            download = employee.get_by_role("link", name=name)
            box = download.bounding_box()
            assert box and box["height"] >= 48 and box["width"] >= 0.8 * (width - 40), box
            assert download.get_attribute("download") is not None
            # Readable without zooming: the page's text at least 16 px.
            sizes = employee.evaluate(
                "[...document.querySelectorAll('main p, main a')]"
                ".map(e => parseFloat(getComputedStyle(e).fontSize))"
            )
            assert min(sizes) >= 16, sizes
            assert serious_axe_violations(employee) == []
        # The copy the phone saves: a file with the employee's name, not a page in the browser.
        with employee.expect_download() as saved:
            employee.get_by_role("link", name="Download the record (PDF)").click()
        assert saved.value.suggested_filename == "MUS 2026-12-01 Medarbejder Ærø-Øst.pdf"
        revoke(live_server, cid)
        employee.goto(f"{live_server.url}{path}")
        expect(
            employee.get_by_role("heading", name="Dette link er trukket tilbage.")
        ).to_be_visible()
        screenshot(employee, f"records-copy-gone-{width}x{height}")
        assert overflow(employee) == []
    finally:
        phone.close()
