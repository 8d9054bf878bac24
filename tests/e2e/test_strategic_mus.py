"""Issue 15 as one run, the way an organisation lives it: a facilitator sets this year's two
focus areas, a leader plans a conversation, marks the question that matters most and sends the
preparation link; the employee, on a phone without an account, reads the focus areas and the
marked question, adds a topic and keeps a private note; at the tablet the pair sees the topic,
ticks it, ties an agreement to a focus area, and the record shows all of it, and never the
private note."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser import (
    LiveServer,
    leader_with_a_new_conversation,
    log_in_as_new,
    screenshot,
)

# Names and descriptions of their own: the browser tests share one server and its settings.
AREAS = {"Grøn omstilling i år": "Vi sorterer affald", "Faglig stolthed": "Godt håndværk"}
TOPIC = "Mere tid til faglig sparring"
PRIVATE = "Kun til mig: husk at nævne kurset i foråret"


def test_focus_areas_reach_the_employee_the_conversation_and_the_record(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    email = "facilitator.strategi@example.org"
    log_in_as_new(page, live_server, email, role="facilitator", name="Fie")
    page.goto(f"{live_server.url}/settings?lang=en")
    for name, description in AREAS.items():
        page.get_by_label("Name").first.fill(name)
        page.get_by_label("Description").first.fill(description)
        page.get_by_role("button", name="Add focus area").click()
        expect(page.locator("#focus-areas strong", has_text=name)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The leader plans, marks one question as mattering most and picks a focus area.
    base = leader_with_a_new_conversation(page, live_server, "leder.strategi@example.org")
    page.get_by_role("link", name="Prepare questions and focus areas").click()
    status = page.locator("fieldset.prepare-step", has=page.get_by_role("heading", name="Status"))
    question = status.locator(".prepare-choice").first.inner_text().strip()
    page.get_by_role("checkbox", name=f"Important: {question}").check()
    page.get_by_role("checkbox", name="Faglig stolthed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()

    page.goto(f"{base}/start?lang=en")
    page.get_by_role("button", name="Preparation link").click()
    link = page.locator(".share-link a")
    expect(link).to_be_visible()
    url = link.inner_text()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/p/[a-z0-9]+", url)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        employee = phone.new_page()
        employee.goto(f"{url}?lang=en")
        # Every active focus area with what it means, and the question the leader marked.
        for name, description in AREAS.items():
            expect(employee.get_by_text(name, exact=True)).to_be_visible()
            expect(employee.get_by_text(description)).to_be_visible()
        expect(employee.get_by_text(question)).to_be_visible()
        employee.get_by_label("Your topic").fill(TOPIC)
        employee.get_by_role("button", name="Add topic").click()
        expect(employee.get_by_text(TOPIC)).to_be_visible()
        employee.get_by_label("New private note").fill(PRIVATE)
        employee.get_by_role("button", name="Save note").click()
        expect(employee.get_by_text(PRIVATE)).to_be_visible()
        screenshot(employee, "strategic-mus-phone-390")
    finally:
        phone.close()

    # At the tablet: the topic is on the agenda, the private note nowhere.
    page.goto(f"{base}/start?lang=en")
    topics = page.get_by_role("region", name="Topics for today")
    expect(topics.get_by_text(TOPIC)).to_be_visible()
    assert PRIVATE not in page.content()
    topics.get_by_role("checkbox", name=TOPIC).check()
    expect(page.locator("#topics .topic-discussed")).to_have_count(1)

    page.goto(f"{base}/aftaler?lang=en")
    page.get_by_role("button", name="Add agreement").click()
    page.get_by_label("What do we agree on?").first.fill("Sparring med en kollega hver uge")
    page.get_by_label("Both", exact=True).first.check()
    page.get_by_label("Strategic area").first.select_option(label="Faglig stolthed")
    page.get_by_role("button", name="Save agreement").first.click()
    expect(page.locator(".agreement-text", has_text="Sparring med en kollega")).to_be_visible()
    screenshot(page, "strategic-mus-agreements-1180x820")

    record = page.request.get(f"{base}/export.json").json()
    assert record["focus_areas"] == ["Faglig stolthed"]
    assert [a["strategic_area"] for a in record["agreements"]] == ["Faglig stolthed"]
    assert record["topics"] == [{"text": TOPIC, "from": "employee", "discussed": True}]
    markdown = page.request.get(f"{base}/export.md").text()
    assert TOPIC in markdown and "Faglig stolthed" in markdown
    for kind in ("json", "md"):
        assert PRIVATE not in page.request.get(f"{base}/export.{kind}").text()
    # The marked question is the leader's guide and the employee's preparation: not the record.
    assert question not in str(record)
