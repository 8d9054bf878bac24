"""A person logs in at the tablet and looks through the default decks, in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import LiveServer, log_in, screenshot, serious_axe_violations


def test_log_in_and_open_each_deck_and_a_card_large(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server, lang="en")
    page.goto(f"{live_server.url}/decks")
    expect(page.get_by_role("heading", name="Card decks")).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "decks-en")

    page.get_by_role("main").get_by_role("link", name="Status").click()
    expect(page.get_by_role("heading", name="Status")).to_be_visible()
    cards = page.locator("#cards button.card")
    expect(cards).to_have_count(20)
    # Twenty picture cards fit one landscape tablet screen: no scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= 820
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-status-en")

    first = cards.first
    name = first.get_attribute("aria-label")
    assert name
    first.tap()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name=name)).to_be_visible()
    large = dialog.locator("img")
    expect(large).to_have_attribute("alt", first.get_attribute("data-alt") or "")
    # The large variant itself is shown, not the thumbnail stretched.
    # A function, not a bare expression: when it has to poll, Playwright would eval a bare
    # expression inside the page, which the page's script-src policy refuses.
    page.wait_for_function("() => document.getElementById('card-dialog-image').naturalWidth >= 640")
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-status-card-large-en")
    dialog.get_by_role("button", name="Close").tap()
    expect(dialog).to_be_hidden()

    page.goto(f"{live_server.url}/decks")
    page.get_by_role("main").get_by_role("link", name="Job satisfaction").click()
    expect(page.locator("#cards button.card")).to_have_count(40)
    # Forty inspiration cards: at most one screen and a bit.
    assert page.evaluate("document.documentElement.scrollHeight") <= 820 * 1.5
    expect(page.get_by_role("button", name="Colleagues", exact=True)).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, "deck-arbejdsglaede-en")


def test_decks_in_danish_and_by_keyboard(page: Page, live_server: LiveServer) -> None:
    log_in(page, live_server, lang="da")
    page.goto(f"{live_server.url}/decks")
    expect(page.get_by_role("heading", name="Kortsæt")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Arbejdsglæde").click()
    expect(page.get_by_role("button", name="Kolleger", exact=True)).to_be_visible()
    screenshot(page, "deck-arbejdsglaede-da")
    # Keyboard: Tab reaches a card, Enter opens it large, Escape closes it.
    card = page.get_by_role("button", name="Kolleger", exact=True)
    card.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Kolleger")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(card).to_be_focused()


@pytest.mark.parametrize("path", ["/login", "/about"])
def test_plain_pages_pass_axe(page: Page, live_server: LiveServer, path: str) -> None:
    if path != "/login":
        log_in(page, live_server)
    page.goto(f"{live_server.url}{path}")
    assert serious_axe_violations(page) == []
    screenshot(page, "page" + path.replace("/", "-"))
