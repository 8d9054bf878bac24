"""A leader and an employee run a whole conversation at the tablet, by the names of DESIGN §7."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import LiveServer, log_in, screenshot, serious_axe_violations
from tests.support import PASSWORD

LEADER = "leder.e2e@example.org"


def ensure_leader(server: LiveServer) -> None:
    result = server.env.get("E2E_LEADER_MADE")
    if result:
        return
    server.cli(
        "create-user", "--email", LEADER, "--name", "Leder", "--role", "leader", stdin=PASSWORD
    )
    server.env["E2E_LEADER_MADE"] = "1"


def check_step(page: Page, name: str, shot: str) -> None:
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    assert serious_axe_violations(page) == []
    screenshot(page, shot)


# The same six steps on both databases (issue 17: PostgreSQL everywhere it matters).
@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest) -> LiveServer:
    name = "live_server" if request.param == "sqlite" else "live_server_postgresql"
    server: LiveServer = request.getfixturevalue(name)
    return server


def test_a_whole_conversation(page: Page, served: LiveServer) -> None:
    live_server = served
    ensure_leader(live_server)
    log_in(page, live_server, email=LEADER)
    page.goto(f"{live_server.url}/?lang=en")
    page.get_by_role("link", name="New conversation").click()
    expect(page).to_have_url(re.compile(r"/conversations/new$"))
    page.get_by_label("Employee").fill("Test Employee")
    page.get_by_label("Date").fill("2026-12-01")
    screenshot(page, "conversation-new")
    page.get_by_role("button", name="Create conversation").click()
    expect(page).to_have_url(re.compile(r"/conversations/\d+/start$"))
    conversation_url = page.url.removesuffix("/start")
    check_step(page, "Start", "step-1-start")

    page.get_by_role("link", name="Next").click()
    check_step(page, "Status", "step-2-status-empty")
    cards = page.get_by_role("list", name="Picture cards").locator("button[aria-pressed]")
    first, second = cards.nth(0), cards.nth(1)
    first_name, second_name = first.get_attribute("aria-label"), second.get_attribute("aria-label")
    first.tap()
    expect(page.get_by_role("button", name=first_name, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_role("button", name=second_name, exact=True).tap()
    expect(page.get_by_role("button", name=second_name, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    note = page.get_by_label(f"Why did you choose {first_name}?")
    note.fill("Det går fremad, æøå.")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    # Reload mid-way: the picks and the note are still there.
    page.reload()
    expect(page.get_by_role("button", name=first_name, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_label(f"Why did you choose {first_name}?")).to_have_value(
        "Det går fremad, æøå."
    )
    check_step(page, "Status", "step-2-status")

    page.get_by_role("link", name="Next").click()
    check_step(page, "Job satisfaction", "step-3-board-empty")
    tray = page.get_by_role("list", name="Inspiration cards")
    placed: dict[str, str] = {}
    for index, row in enumerate(("Glad", "Less glad", "Even more glad")):
        card = tray.locator("button[aria-pressed]:enabled").nth(index)
        title = card.get_attribute("aria-label") or ""
        card.tap()
        expect(page.get_by_role("button", name=title, exact=True).first).to_have_attribute(
            "aria-pressed", "true"
        )
        page.get_by_role("region", name=row, exact=True).tap(position={"x": 30, "y": 60})
        region = page.get_by_role("region", name=row, exact=True)
        expect(region.get_by_role("button", name=title, exact=True)).to_be_visible()
        placed[row] = title
    page.get_by_role("textbox", name=f"Note on {placed['Glad']}").fill("Gode kolleger")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    check_step(page, "Job satisfaction", "step-3-board")

    page.get_by_role("link", name="Next").click()
    check_step(page, "Feedback", "step-4-feedback-empty")
    page.get_by_label("What went well?").fill("Projektet blev færdigt til tiden.")
    page.get_by_label("The employee's feedback to the leader").fill("Mere sparring, tak.")
    expect(page.locator(".save-state .saved").first).to_be_visible()
    screenshot(page, "step-4-feedback")

    page.get_by_role("link", name="Next").click()
    check_step(page, "Agreements", "step-5-agreements-empty")
    page.get_by_role("button", name="Add agreement").click()
    page.get_by_label("What do we agree on?").fill("Kursus i facilitering inden sommer")
    page.get_by_label("Employee", exact=True).check()
    page.get_by_label("Deadline").fill("2027-06-01")
    page.get_by_role("button", name="Save agreement").click()
    expect(
        page.locator(".agreement-text", has_text="Kursus i facilitering inden sommer")
    ).to_be_visible()
    check_step(page, "Agreements", "step-5-agreements")

    page.get_by_role("link", name="Next").click()
    check_step(page, "Wrap-up", "step-6-wrap-up")
    # Finish asks once (DESIGN §7: a browser confirm), saying what finishing means.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Finish conversation").click()
    expect(page.get_by_text("The conversation is finished.")).to_be_visible()
    assert len(asked) == 1 and "The record is then locked" in asked[0]
    expect(page.get_by_role("button", name="Finish conversation")).to_have_count(0)
    screenshot(page, "step-6-finished")

    record = page.request.get(f"{conversation_url}/export.json").json()
    assert record["schema"] == "arbejdsglaede.record/1"
    assert record["conversation"]["status"] == "completed"
    assert record["conversation"]["employee"]["name"] == "Test Employee"
    assert record["conversation"]["date"] == "2026-12-01"
    assert {c["title"] for c in record["status_cards"]} == {first_name, second_name}
    assert next(c for c in record["status_cards"] if c["title"] == first_name)["note"] == (
        "Det går fremad, æøå."
    )
    for row, key in (("Glad", "glad"), ("Less glad", "less_glad"), ("Even more glad", "more_glad")):
        assert [c["title"] for c in record["board"][key]] == [placed[row]]
    assert record["board"]["glad"][0]["note"] == "Gode kolleger"
    assert record["feedback"]["went_well"] == "Projektet blev færdigt til tiden."
    assert record["feedback"]["to_leader"] == "Mere sparring, tak."
    (agreement,) = record["agreements"]
    assert agreement["text"] == "Kursus i facilitering inden sommer"
    assert (agreement["owner"], agreement["due"]) == ("employee", "2027-06-01")
