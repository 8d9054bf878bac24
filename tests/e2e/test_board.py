"""The Arbejdsglæde board at the tablet: the board is the table, a placed card opens its own
menu to move or take it off, a change answers only the rows and tray cards it changed (the
tray stays where the person scrolled it), and a card chosen in the tray stays chosen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation


def row(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def place(page: Page, card: Locator, row_name: str) -> None:
    card.tap()
    expect(card).to_have_attribute("aria-pressed", "true")
    row(page, row_name).get_by_role("button", name="Place here").tap()


def test_the_tray_keeps_its_place_and_its_choice(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.board@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    strip = page.locator("#tray-cards")
    strip.evaluate("strip => { strip.scrollLeft = strip.scrollWidth; }")
    scrolled = strip.evaluate("strip => strip.scrollLeft")
    assert scrolled > 200
    cards = page.locator("button.card-place")
    last = cards.last
    place(page, last, "Less glad")
    expect(row(page, "Less glad").locator(".placed")).to_have_count(1)
    expect(last).to_be_disabled()
    expect(row(page, "Less glad").locator(".placed.is-pending")).to_have_count(0)
    assert strip.evaluate("strip => strip.scrollLeft") == scrolled

    # A placed card moved with its own menu; a card chosen in the tray while the answer is on
    # its way stays chosen.
    title = last.get_attribute("aria-label")
    row(page, "Less glad").get_by_role("button", name=title, exact=True).tap()
    row(page, "Less glad").get_by_role("menuitem", name=f"Move {title} to Glad").tap()
    chosen = cards.nth(35)
    chosen.tap()
    expect(row(page, "Glad").locator(".placed:not(.is-pending)")).to_have_count(1)
    expect(chosen).to_have_attribute("aria-pressed", "true")
    # With a card chosen, a tap anywhere on a row places it there, on its cards too.
    row(page, "Glad").get_by_role("button", name=title, exact=True).tap()
    expect(row(page, "Glad").locator(".placed")).to_have_count(2)
    expect(chosen).to_be_disabled()

    # Taken off the board, the card is back in the tray, which has not moved.
    row(page, "Glad").get_by_role("button", name=title, exact=True).tap()
    row(page, "Glad").get_by_role("menuitem", name=f"Remove {title} from the board").tap()
    expect(row(page, "Glad").locator(".placed")).to_have_count(1)
    expect(last).to_be_enabled()
    assert strip.evaluate("strip => strip.scrollLeft") == scrolled
    page.reload()
    expect(row(page, "Glad").locator(".placed")).to_have_count(1)


def test_a_full_row_refuses_at_once_beside_the_row(page: Page, live_server: LiveServer) -> None:
    """The page knows the limit: a fourth card is refused without a round trip, its message
    beside the row, and Back and Next do not move."""
    base = leader_with_a_new_conversation(page, live_server, "leder.full@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    cards = page.locator("button.card-place")
    for i in range(3):
        place(page, cards.nth(i), "Glad")
        expect(row(page, "Glad").locator(".placed")).to_have_count(i + 1)
    expect(row(page, "Glad").locator(".placed.is-pending")).to_have_count(0)
    next_box = page.get_by_role("link", name="Next").bounding_box()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    cards.nth(3).tap()
    row(page, "Glad").locator(".row-head h2").tap()
    message = row(page, "Glad").get_by_role("alert")
    expect(message).to_contain_text("already has 3 cards")
    assert requests == []
    assert page.get_by_role("link", name="Next").bounding_box() == next_box
    expect(row(page, "Glad").locator(".placed")).to_have_count(3)
    expect(message).to_be_hidden(timeout=10_000)


def test_keyboard_focus_follows_the_card(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.keyboard@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    card = page.locator("button.card-place").nth(2)
    card_id = card.get_attribute("data-card-id")
    title = card.get_attribute("aria-label")
    card.focus()
    page.keyboard.press("Enter")
    row(page, "Glad").get_by_role("button", name="Place here").focus()
    page.keyboard.press("Enter")
    on_board = page.locator(f"#placed-{card_id}")
    expect(on_board).to_be_focused()
    expect(row(page, "Glad").locator(".placed.is-pending")).to_have_count(0)
    expect(on_board).to_be_focused()
    page.keyboard.press("Enter")
    move = row(page, "Glad").get_by_role("menuitem", name=f"Move {title} to Less glad")
    expect(page.get_by_role("menuitem").first).to_be_focused()
    move.focus()
    page.keyboard.press("Enter")
    expect(row(page, "Less glad").locator(".placed:not(.is-pending)")).to_have_count(1)
    expect(page.locator(f"#placed-{card_id}")).to_be_focused()
    # Typing a note there keeps the focus in the note while it is saved.
    note = page.get_by_label(f"Note on {title}")
    note.focus()
    page.keyboard.type("Gode kolleger")
    expect(page.locator(".save-state .saved")).to_have_count(1)
    expect(note).to_be_focused()
    # Escape closes a card's menu and gives the focus back to the card.
    page.locator(f"#placed-{card_id}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_be_hidden()
    expect(page.locator(f"#placed-{card_id}")).to_be_focused()


@pytest.mark.parametrize(
    "size", [(1180, 820), (1024, 768), (820, 1180)], ids=["1180x820", "1024x768", "820x1180"]
)
def test_the_board_is_the_table(page: Page, live_server: LiveServer, size: tuple[int, int]) -> None:
    """A placed card is at least as large as a card in the tray (at 1180×820 at least 120 px
    wide), it never spills over its note, and the three rows fit the screen in landscape."""
    base = leader_with_a_new_conversation(page, live_server, f"leder.rows.{size[0]}@example.org")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{base}/arbejdsglaede?lang=en")
    cards = page.locator("button.card-place")
    for i, name in enumerate(("Glad", "Less glad", "Even more glad")):
        place(page, cards.nth(i + 1), name)  # long titles: "Making a difference", …
        expect(row(page, name).locator(".placed:not(.is-pending)")).to_have_count(1)
    sizes = page.evaluate(
        """() => {
             const placed = document.querySelector('.placed-card').getBoundingClientRect();
             const tray = document.querySelector('.card-place').getBoundingClientRect();
             const overlaps = [...document.querySelectorAll('.placed')].map(li =>
               li.querySelector('.placed-card').getBoundingClientRect().right
               - li.querySelector('textarea').getBoundingClientRect().left);
             return {placed: placed.width, tray: tray.width, overlaps};
           }"""
    )
    assert sizes["placed"] >= sizes["tray"], sizes
    assert all(overlap <= 0 for overlap in sizes["overlaps"]), sizes
    if size == (1180, 820):
        assert sizes["placed"] >= 120, sizes
    if size[0] > size[1]:  # landscape: the whole board on screen, nothing to scroll
        assert page.evaluate(
            "(b => b.scrollHeight <= b.clientHeight)(document.getElementById('board'))"
        )
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_long_note_is_whole_when_focused_and_the_row_stays_usable(
    page: Page, live_server: LiveServer
) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.long.note@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    card = page.locator("button.card-place").first
    title = card.get_attribute("aria-label")
    place(page, card, "Glad")
    note = page.get_by_label(f"Note on {title}")
    note.fill(
        "Gode kolleger og frihed til at prøve noget nyt. " * 100
    )  # 4,800 characters, near the 5,000 a note holds
    expect(page.locator(".save-state .saved")).to_have_count(1)
    note.focus()
    assert note.evaluate("n => n.scrollHeight <= n.clientHeight + 1")  # all of it shown
    note.blur()
    # The row takes another card as before.
    place(page, page.locator("button.card-place:enabled").first, "Glad")
    expect(row(page, "Glad").locator(".placed:not(.is-pending)")).to_have_count(2)
    page.reload()
    expect(page.get_by_label(f"Note on {title}")).to_have_value(
        "Gode kolleger og frihed til at prøve noget nyt. " * 100
    )


def test_the_agenda_counts_up_without_a_reload(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.agenda@example.org")
    page.clock.install()
    page.goto(f"{base}/status?lang=en")  # a change of step starts the clock
    current = page.locator(".agenda li.current .agenda-time")
    expect(current).to_have_text("0 of 10 min")
    page.clock.run_for(3 * 60 * 1000)
    expect(current).to_have_text("3 of 10 min")
    page.clock.run_for(9 * 60 * 1000)
    expect(current).to_have_text("12 of 10 min")
    expect(page.locator(".agenda li.current")).to_have_class(re.compile(r"\bover\b"))


def test_the_tray_closes_and_opens(page: Page, live_server: LiveServer) -> None:
    """Closed, the tray gives its room to the board; the step always loads with it open."""
    base = leader_with_a_new_conversation(page, live_server, "leder.tray@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    board_height = page.locator("#board").evaluate("b => b.clientHeight")
    page.get_by_role("button", name="Hide the cards").tap()
    expect(page.get_by_role("list", name="Inspiration cards")).to_be_hidden()
    expect(page.get_by_role("button", name="Show the cards")).to_have_attribute(
        "aria-expanded", "false"
    )
    assert page.locator("#board").evaluate("b => b.clientHeight") > board_height
    page.reload()
    expect(page.get_by_role("list", name="Inspiration cards")).to_be_visible()
    page.get_by_role("button", name="Hide the cards").tap()
    page.get_by_role("button", name="Show the cards").tap()
    expect(page.get_by_role("list", name="Inspiration cards")).to_be_visible()
