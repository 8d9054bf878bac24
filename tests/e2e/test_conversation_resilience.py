"""Nothing typed is lost: a dropped connection, a reload, a second device."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser import TABLET, LiveServer, leader_with_a_new_conversation, log_in, screenshot

LEADER = "leder.resilience@example.org"


def new_conversation(page: Page, server: LiveServer) -> str:
    page.goto(f"{server.url}/conversations/new?lang=en")
    page.get_by_label("Employee").fill("Resilience")
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/start$"))
    return page.url.removesuffix("/start")


def test_typing_offline_is_kept_and_sent_when_back(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    base = leader_with_a_new_conversation(page, live_server, LEADER)
    page.goto(f"{base}/feedback")
    field = page.get_by_label("What did we learn?")
    page.context.set_offline(True)
    field.fill("Skrevet uden net")
    expect(page.get_by_role("alert").filter(has_text="No connection")).to_be_visible()
    screenshot(page, "offline-banner")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_role("alert").filter(has_text="No connection")).to_be_hidden()
    # The draft reached the server: a fresh browser sees it.
    other = browser.new_context(viewport=TABLET, has_touch=True)
    second = other.new_page()
    log_in(second, live_server, email=LEADER)
    second.goto(f"{base}/feedback")
    expect(second.get_by_label("What did we learn?")).to_have_value("Skrevet uden net")
    other.close()


def test_a_stale_device_is_told_to_reload(
    page: Page, live_server: LiveServer, browser: Browser
) -> None:
    # Its own leader: the test must not depend on another test having made one first.
    base = leader_with_a_new_conversation(page, live_server, "leder.stale@example.org")
    page.goto(f"{base}/status")
    other = browser.new_context(viewport=TABLET, has_touch=True)
    phone = other.new_page()
    log_in(phone, live_server, email="leder.stale@example.org")
    phone.goto(f"{base}/status")
    cards = page.locator("button.card-pick")
    cards.nth(0).tap()
    expect(cards.nth(0)).to_have_attribute("aria-pressed", "true")
    phone.locator("button.card-pick").nth(1).tap()
    # Refused by the server: the card goes back, with the message beside it.
    message = phone.locator(".pick-cell").nth(1).get_by_role("alert")
    expect(message).to_contain_text("changed on another device")
    expect(phone.locator("button.card-pick").nth(1)).to_have_attribute("aria-pressed", "false")
    screenshot(phone, "stale-device")
    message.get_by_role("link", name="Reload").click()
    expect(phone.locator("button.card-pick").nth(0)).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("button.card-pick").nth(1)).to_have_attribute("aria-pressed", "false")
    other.close()
