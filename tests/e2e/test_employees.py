"""The employee page in real Chromium (issue 15): a leader adds an employee, plans two
conversations for a typo'd duplicate of her, merges the duplicate into her and sees every
conversation in one history; a history of three finished conversations fits every size."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.db import make_engine, write_session
from app.models import User
from tests.browser import LiveServer, log_in, screenshot, serious_axe_violations
from tests.record_fixtures import full_conversation
from tests.support import PASSWORD

OVERFLOW = "document.documentElement.scrollWidth - innerWidth"
# Every visible link, button and field on the page that is smaller than a finger.
SMALL_TARGETS = """() => [...document.querySelectorAll('main a[href], main button, main input')]
  .filter(el => el.getClientRects().length)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 44 || box.height < 44)
  .map(([el, box]) => `${el.tagName} "${el.textContent.trim().slice(0, 30)}"`
       + ` ${Math.round(box.width)}x${Math.round(box.height)}`)"""


def _leader(server: LiveServer, email: str) -> None:
    server.cli(
        "create-user", "--email", email, "--name", "Leder", "--role", "leader", stdin=PASSWORD
    )


def _plan(page: Page, server: LiveServer, employee: str) -> None:
    page.goto(f"{server.url}/conversations/new?lang=en")
    page.get_by_label("Employee").fill(employee)
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/start$"))


def test_a_typo_d_duplicate_is_merged_into_one_history(page: Page, live_server: LiveServer) -> None:
    _leader(live_server, "leder.merge@example.org")
    log_in(page, live_server, email="leder.merge@example.org")
    page.goto(f"{live_server.url}/employees?lang=en")
    page.get_by_label("Name").first.fill("Anne Holm")
    page.get_by_label("Team (optional)").first.fill("Hjemmeplejen")
    page.get_by_role("button", name="Add employee").click()
    expect(page.get_by_role("heading", name="Anne Holm", level=1)).to_be_visible()
    kept_url = page.url

    # Planned from her own page: the form comes with her name filled in.
    page.get_by_role("link", name="Plan conversation").click()
    expect(page.get_by_label("Employee")).to_have_value("Anne Holm")
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/start$"))
    # Twice with a typo: a second employee that is the same person.
    _plan(page, live_server, "Anne Hlom")
    _plan(page, live_server, "Anne Hlom")

    page.goto(f"{live_server.url}/employees?lang=en")
    page.get_by_role("link", name="Anne Hlom").click()
    expect(page.get_by_role("heading", name="Anne Hlom", level=1)).to_be_visible()
    page.get_by_role("link", name="Merge into another employee").click()
    page.get_by_label("Employee to keep").select_option(label="Anne Holm (1 conversation)")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Merge Anne Hlom into Anne Holm?")).to_be_visible()
    expect(page.get_by_text("2 conversations move to Anne Holm.")).to_be_visible()
    screenshot(page, "employee-merge-confirm")
    page.get_by_role("button", name="Merge", exact=True).click()

    page.wait_for_url(re.compile(re.escape(kept_url) + r"\?merged=1$"))
    expect(page.get_by_role("status")).to_contain_text("The two employees are merged")
    conversations = page.get_by_role("region", name="Conversations")
    expect(conversations.get_by_role("list").first.get_by_role("listitem")).to_have_count(3)
    expect(conversations.get_by_text(re.compile("^Merged with Anne Hlom on"))).to_be_visible()
    page.goto(f"{live_server.url}/employees?lang=en")
    expect(page.get_by_role("link", name="Anne Hlom")).to_have_count(0)
    screenshot(page, "employees-list")
    assert page.evaluate(OVERFLOW) <= 0


def test_three_conversations_side_by_side_fit_every_size(
    page: Page, live_server: LiveServer
) -> None:
    email = "leder.historik@example.org"
    _leader(live_server, email)
    engine = make_engine(f"sqlite:///{live_server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        uid = session.exec(select(User.id).where(User.email == email)).one() or 0
        for year in (2024, 2025, 2026):
            made = full_conversation(
                session, leader_id=uid, employee="Anne Holm", on=date(year, 3, 1), language="en"
            )
    engine.dispose()
    log_in(page, live_server, email=email)
    for width, height in ((1180, 820), (820, 1180), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/employees/{made.employee_id}?lang=en")
        timeline = page.get_by_role("region", name=re.compile("The cards over the years"))
        expect(timeline.get_by_role("listitem").filter(has=page.locator("h3"))).to_have_count(3)
        # Every card is a picture named by its title; all twelve per conversation.
        expect(timeline.get_by_role("img")).to_have_count(3 * 12)
        assert page.evaluate(OVERFLOW) <= 0, (width, height)
        assert page.evaluate(SMALL_TARGETS) == [], (width, height)
        assert serious_axe_violations(page) == []
        screenshot(page, f"employee-history-{width}x{height}")
    # The Danish page, as a Danish leader sees it on the tablet.
    page.set_viewport_size({"width": 1180, "height": 820})
    page.goto(f"{live_server.url}/employees/{made.employee_id}?lang=da")
    expect(page.get_by_role("heading", name="Kortene gennem årene (nyeste først)")).to_be_visible()
    screenshot(page, "employee-history-1180x820-da")
