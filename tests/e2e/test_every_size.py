"""DESIGN §5: every size a tablet or a phone has. No page scrolls sideways, landscape or
portrait, down to a 360 px phone; in the conversation every button and link is at least
44×44 px, measured over all of them on every step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ADMIN, LiveServer, leader_with_a_new_conversation, log_in

TABLETS = [(1366, 1024), (1180, 820), (1024, 768), (820, 1180), (768, 1024)]
PHONES = [(390, 844), (360, 740)]
STEPS = ("start", "status", "arbejdsglaede", "feedback", "aftaler", "slut")

OVERFLOW = "document.documentElement.scrollWidth - innerWidth"
# Every visible button, link and menu item in the conversation, and its size when smaller
# than a finger. A card's keyboard-only enlarge button counts at its focused size.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    '.conversation-shell a[href], .conversation-shell button, .conversation-shell [role=menuitem]')]
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 44 || box.height < 44)
  .map(([el, box]) => `${el.tagName} ${el.className}`
       + ` "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`
       + ` ${Math.round(box.width)}x${Math.round(box.height)}`)"""
# Every card's word whose letters reach past its card (the card clips them).
CLIPPED_WORDS = """() => [...document.querySelectorAll('.card-title')]
  .filter(el => el.getClientRects().length)
  .filter(el => {
    const text = document.createRange(); text.selectNodeContents(el);
    const letters = text.getBoundingClientRect();
    const card = el.closest('.card').getBoundingClientRect();
    return letters.left < card.left - .5 || letters.right > card.right + .5; })
  .map(el => el.textContent.trim())"""
# Every step name the agenda cuts short ("Job satisf…").
CUT_NAMES = """() => [...document.querySelectorAll('.agenda-name')]
  .filter(el => el.scrollWidth > el.clientWidth).map(el => el.textContent.trim())"""


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", TABLETS, ids=size_id)
def test_every_step_fits_the_tablet(
    page: Page, live_server: LiveServer, size: tuple[int, int]
) -> None:
    base = leader_with_a_new_conversation(
        page, live_server, f"leder.size.{size_id(size)}@example.org"
    )
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{base}/status?lang=en")
    page.locator("button.card-pick").first.tap()
    expect(page.locator(".chosen-item")).to_have_count(1)
    page.goto(f"{base}/arbejdsglaede?lang=en")
    page.locator("button.card-place").first.tap()
    page.locator('.board-row[data-row="glad"] .place-here').tap()
    expect(page.locator("#board .placed:not(.is-pending)")).to_have_count(1)
    problems: dict[str, object] = {}
    for step in STEPS:
        page.goto(f"{base}/{step}?lang=en")
        expect(page.locator(".step")).to_be_visible()
        overflow = page.evaluate(OVERFLOW)
        small = page.evaluate(SMALL_TARGETS)
        clipped = page.evaluate(CLIPPED_WORDS) + page.evaluate(CUT_NAMES)
        # Back and Next are on screen without scrolling the page.
        next_or_back = page.locator(".step-nav .button").last.bounding_box()
        assert next_or_back is not None
        if overflow > 0 or small or clipped or next_or_back["y"] + next_or_back["height"] > size[1]:
            problems[step] = {
                "overflow": overflow,
                "small": small,
                "clipped": clipped,
                "nav": next_or_back,
            }
    # The tray's words and the agenda's names in Danish too, whose long words differ.
    page.goto(f"{base}/arbejdsglaede?lang=da")
    problems["Danish"] = page.evaluate(CLIPPED_WORDS) + page.evaluate(CUT_NAMES) or None
    assert {step: problem for step, problem in problems.items() if problem} == {}


@pytest.mark.parametrize("size", TABLETS + PHONES, ids=size_id)
def test_no_page_scrolls_sideways(
    page: Page, live_server: LiveServer, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server.url}/login?lang=en")
    overflows = {"/login": page.evaluate(OVERFLOW)}
    log_in(page, live_server, email=ADMIN)
    # The language switch stays reachable however narrow the screen, and every menu link is
    # whole on screen (the menu wraps rather than hiding a link behind a sideways scroll).
    expect(page.get_by_role("link", name="Dansk")).to_be_in_viewport()
    for link in page.locator(".mainnav a").all():
        expect(link).to_be_in_viewport(ratio=1)
    paths = ("/", "/employees", "/decks", "/conversations/new", "/about", "/admin/audit")
    more = ("/admin/users", "/admin/handover", "/admin/personal-data", "/privacy", "/settings")
    for path in (*paths, *more, "/overview", "/account", "/account/two-step"):
        page.goto(f"{live_server.url}{path}?lang=en")
        overflows[path] = page.evaluate(OVERFLOW)
    page.goto(f"{live_server.url}/decks?lang=en")
    page.locator(".deck-tile").first.click()
    expect(page).to_have_url(re.compile(r"/decks/[^/?]+"))
    overflows["a deck"] = page.evaluate(OVERFLOW)
    # An employee's page and its merge page (issue 15): one employee added per size.
    page.goto(f"{live_server.url}/employees?lang=en")
    page.get_by_label("Name").first.fill(f"Eva {size_id(size)}")
    page.get_by_role("button", name="Add employee").click()
    expect(page.get_by_role("heading", name=f"Eva {size_id(size)}", level=1)).to_be_visible()
    overflows["an employee"] = page.evaluate(OVERFLOW)
    employee_url = page.url.split("?")[0]
    page.goto(f"{employee_url}/merge?lang=en")
    overflows["an employee's merge"] = page.evaluate(OVERFLOW)
    # A check-in started from the employee's page (issue 16): the follow-up and check-in page.
    page.goto(f"{employee_url}?lang=en")
    page.get_by_role("button", name="Start check-in").click()
    page.wait_for_url(re.compile(r"/followups/\d+"))
    overflows["a check-in"] = page.evaluate(OVERFLOW)
    # A planned conversation's Move, Cancel conversation and Prepare pages (issue 15), and the
    # home page listing it with its time, its place, Prepare and Move.
    page.goto(f"{live_server.url}/conversations/new?lang=en")
    page.get_by_label("Employee").fill(f"Planlagt {size_id(size)}")
    page.get_by_label("Time").fill("13:30")
    page.get_by_label("Place").fill("Mødelokale 2 på tredje sal i den nye bygning")
    page.get_by_role("button", name="Create conversation").click()
    page.wait_for_url(re.compile(r"/start$"))
    base = page.url.removesuffix("/start")
    for path in ("move", "cancel", "prepare"):
        page.goto(f"{base}/{path}?lang=en")
        overflows[f"/conversations/{{id}}/{path}"] = page.evaluate(OVERFLOW)
    # The leader's preparation link page and the employee's preparation page (issue 15).
    page.goto(f"{base}/start?lang=en")
    page.get_by_role("button", name="Preparation link").click()
    # The click posts a form; measure the page it lands on, not the one being left.
    expect(page.locator(".share-link a")).to_be_visible()
    overflows["/conversations/{id}/preparation"] = page.evaluate(OVERFLOW)
    page.goto(page.locator(".share-link a").inner_text() + "?lang=en")
    overflows["/p/{token}"] = page.evaluate(OVERFLOW)
    page.goto(f"{live_server.url}/?lang=en")
    overflows["/ with a planned conversation"] = page.evaluate(OVERFLOW)
    assert {path: px for path, px in overflows.items() if px > 0} == {}
