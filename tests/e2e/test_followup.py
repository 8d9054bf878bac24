"""The follow-up at the tablet (DESIGN §7): a finished conversation offers `Start follow-up`,
the pair picks one card, reviews each agreement `Done` / `Partly` with a `Comment`, and
`Finish follow-up`; the conversation's `export.json` then shows both reviews in `history`.
And a check-in started from the employee's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation, screenshot


def finish_with_two_agreements(page: Page, base: str) -> None:
    page.goto(f"{base}/status?lang=en")
    page.get_by_role("list", name="Picture cards").locator("button[aria-pressed]").first.tap()
    expect(page.locator(".chosen-item")).to_have_count(1)
    page.goto(f"{base}/aftaler?lang=en")
    for text in ("Kursus i facilitering", "Fast sparring hver måned"):
        page.get_by_role("button", name="Add agreement").click()
        form = page.locator("#agreement-form-new")
        form.get_by_label("What do we agree on?").fill(text)
        form.get_by_label("Both", exact=True).check()
        form.get_by_role("button", name="Save agreement").click()
        expect(page.locator(".agreement-text", has_text=text)).to_be_visible()
    page.goto(f"{base}/slut?lang=en")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish conversation").click()
    expect(page.get_by_text("The conversation is finished.")).to_be_visible()


def test_a_follow_up_reviews_the_agreements_into_their_history(
    page: Page, live_server: LiveServer
) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.opfolgning@example.org")
    finish_with_two_agreements(page, base)
    page.get_by_role("button", name="Start follow-up").click()
    page.wait_for_url(re.compile(r"/followups/\d+"))
    follow_url = page.url.split("?")[0].split("#")[0]
    expect(page.get_by_role("heading", name="How is it going now?")).to_be_visible()
    card = page.get_by_role("list", name="Picture cards").locator("button[aria-pressed]").nth(2)
    name = card.get_attribute("aria-label")
    card.tap()
    expect(page.get_by_role("button", name=name, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_label(f"Why did you choose {name}?").fill("Mere ro på nu")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    screenshot(page, "followup-1180")

    first = page.locator(".review").filter(has_text="Kursus i facilitering")
    first.get_by_label("Done", exact=True).check()
    first.get_by_label("Comment").fill("Kurset er taget")
    first.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    second = page.locator(".review").filter(has_text="Fast sparring hver måned")
    second.get_by_label("Partly", exact=True).check()
    second.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    expect(
        page.locator(".review").filter(has_text="Fast sparring").get_by_label("Partly", exact=True)
    ).to_be_checked()
    page.locator("#reviews").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(page, "followup-reviews-1180")))
    page.set_viewport_size({"width": 820, "height": 1180})
    page.locator("#reviews").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(page, "followup-reviews-820")))
    # No page scrolls sideways in portrait either.
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    page.set_viewport_size({"width": 1180, "height": 820})
    page.get_by_role("button", name="Finish follow-up").click()
    expect(page.get_by_role("link", name="Record (PDF)")).to_be_visible()
    assert "Finished" in page.locator(".agenda-who").inner_text()

    record = page.request.get(f"{base}/export.json").json()
    history = {a["text"]: a["history"] for a in record["agreements"]}
    assert [(h["status"], h["comment"]) for h in history["Kursus i facilitering"]] == [
        ("done", "Kurset er taget")
    ]
    assert [h["status"] for h in history["Fast sparring hver måned"]] == ["partly"]
    short = page.request.get(f"{follow_url.replace('/followups/', '/conversations/')}/export.json")
    assert short.json()["conversation"]["kind"] == "followup"
    assert short.json()["status_cards"][0]["note"] == "Mere ro på nu"


def test_a_check_in_is_started_from_the_employee_page(page: Page, live_server: LiveServer) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.checkin@example.org")
    finish_with_two_agreements(page, base)
    page.goto(f"{live_server.url}/employees?lang=en")
    page.get_by_role("link", name="Medarbejder").first.click()
    page.get_by_role("button", name="Start check-in").click()
    page.wait_for_url(re.compile(r"/followups/\d+"))
    expect(page.get_by_role("button", name="Finish check-in")).to_be_visible()
    expect(page.locator(".review")).to_have_count(2)
    screenshot(page, "checkin-1180")
