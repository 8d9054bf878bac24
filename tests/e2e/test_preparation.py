"""The employee's preparation in real Chromium (issue 15, DESIGN §1, §7): the leader opens
`Preparation link`, the employee's phone (no login) adds a topic and keeps a private note, the
leader sees the topic on the Start step and ticks it, and the record shows it talked about,
with no private note anywhere in the exports."""

from __future__ import annotations

import io
import zipfile

import httpx2 as httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser import (
    LiveServer,
    leader_with_a_new_conversation,
    screenshot,
    serious_axe_violations,
)

SECRET = "Kun til mig: spørg om løn"


def no_sideways_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_the_employee_prepares_on_a_phone_and_the_leader_ticks_the_topic(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    conversation = leader_with_a_new_conversation(page, live_server, "leder.prep@example.org")
    page.goto(f"{conversation}/start?lang=en")
    page.get_by_role("button", name="Preparation link").click()
    link = page.locator(".share-link a")
    expect(link).to_be_visible()
    url = link.inner_text()
    assert f"{live_server.url}/p/" in url
    expect(page.locator(".share-qr svg")).to_be_visible()
    screenshot(page, "preparation-link-leader")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        employee = phone.new_page()
        employee.goto(url + "?lang=en")
        expect(
            employee.get_by_role("heading", name="Prepare for your conversation")
        ).to_be_visible()
        employee.get_by_label("Your topic").fill("Mere hjemmearbejde")
        employee.get_by_role("button", name="Add topic").click()
        expect(employee.get_by_text("Mere hjemmearbejde")).to_be_visible()
        employee.get_by_label("New private note").fill(SECRET)
        employee.get_by_role("button", name="Save note").click()
        expect(employee.get_by_text(SECRET)).to_be_visible()
        assert no_sideways_scroll(employee)
        assert serious_axe_violations(employee) == []
        screenshot(employee, "preparation-phone-390")
        employee.set_viewport_size({"width": 360, "height": 740})
        employee.goto(url + "?lang=da")
        expect(employee.get_by_role("heading", name="Forbered dig til samtalen")).to_be_visible()
        expect(employee.get_by_label("Dit emne")).to_be_visible()
        assert no_sideways_scroll(employee)
        screenshot(employee, "preparation-phone-360-da")
    finally:
        phone.close()

    page.goto(f"{conversation}/start?lang=en")
    topics = page.get_by_role("region", name="Topics for today")
    expect(topics.get_by_text("Mere hjemmearbejde")).to_be_visible()
    expect(topics.get_by_text("from the employee")).to_be_visible()
    assert SECRET not in page.content()
    topics.get_by_role("checkbox", name="Mere hjemmearbejde").check()
    expect(page.locator("#topics .topic-discussed")).to_have_count(1)
    expect(page.get_by_role("link", name="Next")).to_be_in_viewport()
    screenshot(page, "preparation-start-1180x820")
    page.set_viewport_size({"width": 820, "height": 1180})
    expect(page.get_by_role("link", name="Next")).to_be_in_viewport()
    screenshot(page, "preparation-start-820x1180")
    # On the later steps the topics are folded into the step bar, Next still on screen.
    page.goto(f"{conversation}/status?lang=en")
    page.get_by_text("Topics (1 of 1 talked about)").click()
    expect(page.get_by_role("region", name="Topics for today")).to_be_visible()
    expect(page.get_by_role("link", name="Next")).to_be_in_viewport()
    screenshot(page, "preparation-status-820x1180")
    page.set_viewport_size({"width": 1180, "height": 820})
    expect(page.get_by_role("link", name="Next")).to_be_in_viewport()
    screenshot(page, "preparation-status-1180x820")

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    record = httpx.get(f"{conversation}/export.json", cookies=cookies).json()
    assert record["topics"] == [
        {"text": "Mere hjemmearbejde", "from": "employee", "discussed": True}
    ]
    for kind in ("json", "md"):
        assert SECRET not in httpx.get(f"{conversation}/export.{kind}", cookies=cookies).text
    docx = httpx.get(f"{conversation}/export.docx", cookies=cookies).content
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert all(
            SECRET not in archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
        )
