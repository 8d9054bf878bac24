"""Sessions that end (issue 14): "Log out everywhere" on one device logs the other out too,
at its very next page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser import (
    TABLET,
    LiveServer,
    log_in,
    log_in_as_new,
    screenshot,
    serious_axe_violations,
)

LEADER = "leder.sessions@example.org"


def test_log_out_everywhere_logs_out_the_other_browser(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    log_in_as_new(page, live_server, LEADER, name="Lea Leder")
    other = browser.new_context(viewport=TABLET, has_touch=True)
    tablet = other.new_page()
    log_in(tablet, live_server, email=LEADER)
    tablet.goto(f"{live_server.url}/decks?lang=en")
    expect(tablet.get_by_role("heading", level=1)).to_be_visible()

    page.get_by_role("link", name="Lea Leder").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text(LEADER)).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "own-account")
    page.get_by_role("button", name="Log out everywhere").click()
    page.wait_for_url(re.compile(r"/login$"))

    tablet.goto(f"{live_server.url}/decks")
    expect(tablet).to_have_url(re.compile(r"/login\?next="))
    expect(tablet.get_by_label("Password")).to_be_visible()
    other.close()
