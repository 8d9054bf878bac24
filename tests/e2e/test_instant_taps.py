"""DESIGN §5, instant: a tap shows its result before the server answers, the page refuses what
breaks a limit at once, a refused tap goes back to how it was with its message beside it,
and taps made while the connection is down are sent in order when it is back."""

from __future__ import annotations

import time

from playwright.sync_api import Page, Route, expect

from tests.browser import LiveServer, leader_with_a_new_conversation


def slow_posts(page: Page, seconds: float) -> None:
    """Every POST waits before it reaches the server, so several taps are in flight at once."""

    def delay(route: Route) -> None:
        if route.request.method == "POST":
            time.sleep(seconds)
        route.continue_()

    page.route("**/conversations/**", delay)


def test_a_fifth_tap_while_four_are_in_flight(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.fifth@example.org")
    page.goto(f"{base}/status?lang=en")
    cards = page.locator("button.card-pick")
    slow_posts(page, 0.4)
    for i in range(3):
        cards.nth(i).tap()
        # Shown at once, long before the server's answer.
        expect(cards.nth(i)).to_have_attribute("aria-pressed", "true", timeout=300)
    cards.nth(3).tap()
    cards.nth(4).tap()
    expect(cards.nth(3)).to_have_attribute("aria-pressed", "false")
    expect(cards.nth(4)).to_have_attribute("aria-pressed", "false")
    message = page.locator(".pick-cell").nth(4).get_by_role("alert")
    expect(message).to_contain_text("At most 3 cards")
    expect(page.locator(".chosen-item")).to_have_count(3)
    page.unroute("**/conversations/**")
    page.reload()
    assert [cards.nth(i).get_attribute("aria-pressed") for i in range(5)] == [
        "true",
        "true",
        "true",
        "false",
        "false",
    ]


def test_a_refused_tap_goes_back_with_its_message_beside_it(
    page: Page, live_server: LiveServer, expected_console: list[str]
) -> None:
    """The server stays the authority: a tap it refuses returns to its state on the page."""
    expected_console.append("status of 409 (Conflict)")
    base = leader_with_a_new_conversation(page, live_server, "leder.refused@example.org")
    page.goto(f"{base}/status?lang=en")
    cards = page.locator("button.card-pick")
    # The server refuses this one tap, as it refuses a tap on a finished conversation.
    page.route(
        "**/status/**",
        lambda route: (
            route.fulfill(
                status=409,
                content_type="text/html",
                body='<div class="message message-error">This conversation is finished.</div>',
            )
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    next_box = page.get_by_role("link", name="Next").bounding_box()
    cards.nth(2).tap()
    message = page.locator(".pick-cell").nth(2).get_by_role("alert")
    expect(message).to_contain_text("This conversation is finished.")
    expect(cards.nth(2)).to_have_attribute("aria-pressed", "false")
    assert page.get_by_role("link", name="Next").bounding_box() == next_box
    # The next tap that succeeds takes the message away.
    page.unroute("**/status/**")
    cards.nth(0).tap()
    expect(page.locator(".chosen-item")).to_have_count(1)
    expect(message).to_have_count(0)


def test_taps_made_offline_are_sent_when_back(
    page: Page, live_server: LiveServer, expected_console: list[str]
) -> None:
    expected_console.append("ERR_INTERNET_DISCONNECTED")
    base = leader_with_a_new_conversation(page, live_server, "leder.offline.taps@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    cards = page.locator("button.card-place")
    first, second = cards.nth(0), cards.nth(1)
    page.context.set_offline(True)
    first.tap()
    page.locator('.board-row[data-row="glad"] .place-here').tap()
    second.tap()
    page.locator('.board-row[data-row="less_glad"] .place-here').tap()
    # Shown as done, and the banner says what is kept.
    glad = page.locator('.board-row[data-row="glad"]')
    expect(glad.locator(".placed")).to_have_count(1)
    banner = page.get_by_role("alert").filter(has_text="kept on this tablet")
    expect(banner).to_be_visible()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(banner).to_be_hidden()
    expect(page.locator("#board .placed.is-pending")).to_have_count(0)
    page.reload()
    expect(glad.locator(".placed")).to_have_count(1)
    expect(page.locator('.board-row[data-row="less_glad"] .placed')).to_have_count(1)


def test_offline_taps_survive_a_reload(
    page: Page, live_server: LiveServer, expected_console: list[str]
) -> None:
    """A reload while taps wait: they are kept in this browser and sent from the new page."""
    expected_console.append("ERR_INTERNET_DISCONNECTED")
    base = leader_with_a_new_conversation(page, live_server, "leder.offline.reload@example.org")
    page.goto(f"{base}/status?lang=en")
    page.context.set_offline(True)
    page.locator("button.card-pick").nth(1).tap()
    expect(page.locator("button.card-pick").nth(1)).to_have_attribute("aria-pressed", "true")
    page.context.set_offline(False)
    page.reload()
    # The new page sends the kept tap, then reads the step again: two round trips after the
    # load, which took more than Playwright's 5 s once while a busy make test ran beside.
    card = page.locator("button.card-pick").nth(1)
    expect(card).to_have_attribute("aria-pressed", "true", timeout=20_000)
    expect(page.locator(".chosen-item")).to_have_count(1)
    page.reload()
    expect(page.locator(".chosen-item")).to_have_count(1)


def test_a_page_read_before_its_own_tap_was_saved_is_read_again(
    page: Page, live_server: LiveServer
) -> None:
    """A reload while a tap is on its way can get a page the server read before it saved the
    tap, while the tap's answer reaches the old page and empties the queue. Served that page
    on purpose, the browser sees it is older than what it had confirmed and reads it again."""
    base = leader_with_a_new_conversation(page, live_server, "leder.read.again@example.org")
    url = f"{base}/status?lang=en"
    page.goto(url)
    before_the_tap = page.request.get(url).text()
    card = page.locator("button.card-pick").nth(2)
    card.tap()
    expect(page.locator(".chosen-item")).to_have_count(1)  # the server's answer is applied

    def stale(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=before_the_tap)

    page.route(url, stale, times=1)
    page.reload()
    expect(page.locator("button.card-pick").nth(2)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".chosen-item")).to_have_count(1)
