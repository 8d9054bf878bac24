"""Nothing final by accident, in Chromium with touch (issue 13): Start conversation, Finish that
asks once, Reopen conversation, and Undo after taking a card off the board or deleting an
agreement, with a button of at least 44 × 44 px that moves nothing on the page."""

from __future__ import annotations

from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation, screenshot


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


def test_start_finish_once_and_reopen(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.reopen@example.org")
    page.goto(f"{base}/start?lang=en")
    start = page.get_by_role("button", name="Start conversation")
    screenshot(page, "start-conversation")
    start.tap()
    expect(start).to_have_count(0)
    expect(page.locator(".agenda li[data-running]")).to_have_attribute("data-step", "start")

    page.goto(f"{base}/status?lang=en")
    card = page.get_by_role("list", name="Picture cards").locator("button[aria-pressed]").first
    card.tap()
    expect(card).to_have_attribute("aria-pressed", "true")
    page.goto(f"{base}/aftaler?lang=en")
    page.get_by_label("No agreements this time").check()
    expect(page.get_by_text("No agreements this time.")).to_be_visible()

    page.goto(f"{base}/slut?lang=en")
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Finish conversation").tap()
    reopen = page.get_by_role("button", name="Reopen conversation")
    expect(reopen).to_be_visible()
    screenshot(page, "reopen-conversation")
    assert len(asked) == 1 and "reopen it to correct a mistake" in asked[0]
    reopen.tap()
    expect(page.get_by_text("The conversation is reopened for corrections")).to_be_visible()
    page.get_by_role("button", name="Finish conversation").tap()
    expect(page.get_by_role("button", name="Reopen conversation")).to_be_visible()
    assert len(asked) == 2 and asked[1].startswith("Finish the corrections?")


def test_undo_puts_a_card_back_on_the_board(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.undo@example.org")
    page.goto(f"{base}/arbejdsglaede?lang=en")
    card = page.locator("button.card-place").nth(3)
    title = card.get_attribute("aria-label")
    card.tap()
    glad = page.get_by_role("region", name="Glad", exact=True)
    glad.get_by_role("button", name="Place here").tap()
    expect(glad.locator(".placed")).to_have_count(1)
    next_link = page.get_by_role("link", name="Next")
    before = box(next_link)

    glad.get_by_role("button", name=title, exact=True).tap()  # the card's own menu
    glad.get_by_role("menuitem", name=f"Remove {title} from the board").tap()
    expect(glad.locator(".placed")).to_have_count(0)
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    expect(page.locator("#undo")).to_contain_text(f"Taken off the board: {title}")
    size = box(undo)
    assert size["width"] >= 44 and size["height"] >= 44
    assert box(next_link) == before  # the prompt floats: Back and Next stay where they were
    screenshot(page, "undo-board")

    undo.tap()
    expect(glad.get_by_role("button", name=title, exact=True)).to_be_visible()
    expect(page.locator("#undo")).to_be_empty()
    expect(card).to_be_disabled()
    page.reload()
    expect(glad.locator(".placed")).to_have_count(1)


def test_undo_brings_a_deleted_agreement_back(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.undo.aftale@example.org")
    page.goto(f"{base}/aftaler?lang=en")
    page.get_by_role("button", name="Add agreement").tap()
    page.get_by_label("What do we agree on?").first.fill("Kursus i facilitering")
    page.get_by_label("Both", exact=True).first.check()
    page.get_by_role("button", name="Save agreement").first.tap()
    text = page.locator(".agreement-text", has_text="Kursus i facilitering")
    expect(text).to_be_visible()
    page.get_by_role("button", name="Delete the agreement: Kursus i facilitering").tap()
    expect(text).to_have_count(0)
    undo = page.get_by_role("button", name="Undo")
    expect(page.locator("#undo")).to_contain_text("Agreement deleted: Kursus i facilitering")
    undo.tap()
    expect(text).to_be_visible()
    expect(page.locator("#undo")).to_be_empty()
