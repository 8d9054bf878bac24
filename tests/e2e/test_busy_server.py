"""Overload slows, never fails (issue 17): a tap the server was too busy to save (503 with
Retry-After) stays on the page and is sent again by itself."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, expect

from tests.browser import LiveServer, leader_with_a_new_conversation

PICK = re.compile(r"/status/\d+$")


def test_a_tap_answered_busy_is_sent_again_by_itself(
    page: Page, live_server: LiveServer, expected_console: list[str]
) -> None:
    expected_console.append("status of 503")
    base = leader_with_a_new_conversation(page, live_server, "leder.busy@example.org")
    page.goto(f"{base}/status")
    busy_answers: list[str] = []

    def busy_once(route: Route) -> None:
        if route.request.method == "POST" and not busy_answers:
            busy_answers.append(route.request.url)
            # What the app answers when the database cannot take the write (app.main).
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "text/html; charset=utf-8"},
                body='<div class="message">The server is very busy.</div>',
            )
        else:
            route.continue_()

    page.route(PICK, busy_once)
    card = page.locator("button.card-pick").nth(0)
    with page.expect_response(
        lambda response: bool(PICK.search(response.url)) and response.status == 200
    ):
        card.tap()
        # Shown as done at once, and not taken back by the busy answer.
        expect(card).to_have_attribute("aria-pressed", "true")
    assert len(busy_answers) == 1
    expect(card).to_have_attribute("aria-pressed", "true")
    # The banner said it waited, and goes once the tap is saved.
    expect(page.locator("#busy")).to_be_hidden()
    page.reload()
    expect(page.locator("button.card-pick").nth(0)).to_have_attribute("aria-pressed", "true")
