"""Issue 15 in the browser at 1180×820: the leader marks a question and a focus area on
Prepare, sees the marked question in the guide on its step and the focus area on Start,
ticks at Feedback that the employee's suggestions may be shared, and the record says so."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser import (
    ADMIN,
    LiveServer,
    leader_with_a_new_conversation,
    log_in,
    screenshot,
    serious_axe_violations,
)

AREA = "Trivsel i teamet"


def test_the_leader_prepares_marks_and_the_conversation_follows(
    page: Page, live_server: LiveServer
) -> None:
    log_in(page, live_server, email=ADMIN)
    page.goto(f"{live_server.url}/settings?lang=en")
    page.get_by_label("Name").first.fill(AREA)
    page.get_by_role("button", name="Add focus area").click()
    expect(page.locator("#focus-areas strong", has_text=AREA)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    base = leader_with_a_new_conversation(page, live_server, "leder.marking@example.org")
    page.get_by_role("link", name="Prepare questions and focus areas").click()
    expect(page.get_by_role("heading", name="Prepare the conversation", level=1)).to_be_visible()
    status = page.locator("fieldset.prepare-step", has=page.get_by_role("heading", name="Status"))
    question = status.locator(".prepare-choice").first.inner_text().strip()
    page.get_by_role("checkbox", name=f"Important: {question}").check()
    # An important question is asked too: its own box follows at once.
    expect(page.get_by_role("checkbox", name=question, exact=True)).to_be_checked()
    page.get_by_role("checkbox", name=AREA).check()
    screenshot(page, "prepare-1180x820")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(page.get_by_role("checkbox", name=f"Important: {question}")).to_be_checked()

    page.get_by_role("link", name="To the conversation").click()
    page.wait_for_url(re.compile(r"/start(\?|$)"))
    expect(page.locator(".talk-about")).to_have_text(f"We will also talk about: {AREA}")

    page.goto(f"{base}/status?lang=en")
    page.locator("details.guide summary").click()
    marked = page.locator(".guide-chosen li.marked")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(question)
    expect(marked).to_contain_text("(important)")
    screenshot(page, "guide-marked-1180x820")

    page.goto(f"{base}/feedback?lang=en")
    page.get_by_label("Suggestions for the organisation and management").fill("Fælles frokost")
    shareable = page.get_by_role("checkbox", name="May be shared anonymously with management")
    expect(shareable).not_to_be_checked()
    shareable.check()
    expect(page.locator("#shareable-state .saved")).to_have_count(1)
    record = page.request.get(f"{base}/export.json").json()
    assert record["focus_areas"] == [AREA]
    assert record["feedback"]["suggestions_shareable"] is True
    assert record["feedback"]["suggestions"] == "Fælles frokost"
    # The leader's guide is never in the record.
    assert question not in str(record)
