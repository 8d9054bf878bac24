"""The Arbejdsglæde board at the tablet: a change answers only the rows and the tray cards it
changed, so the tray stays where the person scrolled it, and a card chosen in the tray stays
chosen while another card is moved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation


def test_the_tray_keeps_its_place_and_its_choice(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.board@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    tray = page.locator(".tray")
    tray.evaluate("tray => { tray.scrollTop = tray.scrollHeight; }")
    scrolled = tray.evaluate("tray => tray.scrollTop")
    assert scrolled > 200
    cards = page.locator("button.card-place")
    last = cards.last
    last.tap()
    expect(last).to_have_attribute("aria-pressed", "true")
    page.get_by_role("region", name="Less glad", exact=True).get_by_role(
        "button", name="Place here"
    ).tap()
    less_glad = page.get_by_role("region", name="Less glad", exact=True)
    expect(less_glad.locator(".placed")).to_have_count(1)
    expect(last).to_be_disabled()
    assert tray.evaluate("tray => tray.scrollTop") == scrolled

    # Chosen in the tray, then another card moved: the choice stays, and so does its row.
    chosen = cards.nth(30)
    chosen.tap()
    expect(chosen).to_have_attribute("aria-pressed", "true")
    title = last.get_attribute("aria-label")
    less_glad.get_by_role("button", name=f"Move {title} to Glad").tap()
    glad = page.get_by_role("region", name="Glad", exact=True)
    expect(glad.locator(".placed")).to_have_count(1)
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(glad.get_by_role("button", name="Place here")).to_be_enabled()
    glad.get_by_role("button", name="Place here").tap()
    expect(glad.locator(".placed")).to_have_count(2)
    expect(chosen).to_be_disabled()
    expect(glad.get_by_role("button", name="Place here")).to_be_disabled()

    # Taken off the board, the card is back in the tray, which has not moved.
    glad.get_by_role("button", name=f"Remove {title} from the board").tap()
    expect(glad.locator(".placed")).to_have_count(1)
    expect(last).to_be_enabled()
    assert tray.evaluate("tray => tray.scrollTop") == scrolled
    page.reload()
    expect(page.get_by_role("region", name="Glad", exact=True).locator(".placed")).to_have_count(1)


def test_keyboard_focus_follows_the_card(page: Page, live_server: LiveServer) -> None:
    """The button pressed is replaced by the answer: focus goes on to the card itself."""
    base = leader_with_a_new_conversation(page, live_server, "leder.keyboard@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    card = page.locator("button.card-place").nth(2)
    card_id = card.get_attribute("data-card-id")
    title = card.get_attribute("aria-label")
    card.focus()
    page.keyboard.press("Enter")
    glad = page.get_by_role("region", name="Glad", exact=True)
    glad.get_by_role("button", name="Place here").focus()
    page.keyboard.press("Enter")
    on_board = page.locator(f'#board .placed-image[data-card-id="{card_id}"]')
    expect(on_board).to_be_focused()
    glad.get_by_role("button", name=f"Move {title} to Less glad").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("region", name="Less glad", exact=True).locator(".placed")
    ).to_have_count(1)
    expect(on_board).to_be_focused()
    # Typing a note there keeps the focus in the note while it is saved.
    note = page.get_by_label(f"Note on {title}")
    note.focus()
    page.keyboard.type("Gode kolleger")
    expect(page.get_by_text("Saved")).to_be_visible()
    expect(note).to_be_focused()
    page.get_by_role("button", name=f"Remove {title} from the board").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#tray-{card_id} .card-place")).to_be_focused()


@pytest.mark.parametrize("size", [(1180, 820), (1024, 768)], ids=["1180x820", "1024x768"])
def test_a_placed_card_and_its_note_fit_in_their_row(
    page: Page, live_server: LiveServer, size: tuple[int, int]
) -> None:
    """A card on the board never spills over the row's note, down to a 1024×768 tablet."""
    base = leader_with_a_new_conversation(page, live_server, f"leder.rows.{size[0]}@example.org")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{base}/arbejdsglaede?lang=en")
    cards = page.locator("button.card-place")
    for i, row in enumerate(("Glad", "Less glad", "Even more glad")):
        cards.nth(i + 1).tap()  # long titles: "Making a difference", "Helping others", …
        region = page.get_by_role("region", name=row, exact=True)
        region.get_by_role("button", name="Place here").tap()
        expect(region.locator(".placed")).to_have_count(1)
    overlaps = page.evaluate(
        """[...document.querySelectorAll('.board-row')].map(row =>
             row.querySelector('.placed').getBoundingClientRect().bottom
             - row.querySelector('.row-note-field').getBoundingClientRect().top)"""
    )
    assert all(overlap <= 0 for overlap in overlaps), overlaps
    if size == (1180, 820):  # the size the board is made for: no scrolling inside it
        assert page.evaluate(
            "(b => b.scrollHeight <= b.clientHeight)(document.getElementById('board'))"
        )
