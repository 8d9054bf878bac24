"""The wrap-up's documents in real Chromium (DESIGN §4): export links, the QR code and short
link for the employee's phone, the public copy page, and the summary printed from the browser."""

from __future__ import annotations

import re

import httpx2 as httpx
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from app.db import make_engine, write_session
from app.models import User
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
