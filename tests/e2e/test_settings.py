"""Issue 15 in the browser: a facilitator sets two strategic focus areas, a leader's new
conversation offers them at Agreements, and the record names the one chosen; the leader's
guide opens without covering a card or a control, and each tablet remembers it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import (
    LiveServer,
    leader_with_a_new_conversation,
    log_in_as_new,
    screenshot,
    serious_axe_violations,
)

SIZES = [(1180, 820), (1024, 768), (820, 1180), (768, 1024)]


def add_focus_area(page: Page, name: str, description: str) -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Add focus area").click()
    expect(page.locator("#focus-areas strong", has_text=name)).to_be_visible()


def test_focus_areas_set_by_a_facilitator_reach_the_agreement_and_the_record(
    page: Page, live_server: LiveServer
) -> None:
    email = "facilitator.fokus@example.org"
    log_in_as_new(page, live_server, email, role="facilitator", name="Fie")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Conversation settings")).to_be_visible()
    add_focus_area(page, "Grøn drift", "Mindre spild i hverdagen")
    add_focus_area(page, "Faglig udvikling", "Kompetencer til fremtidens opgaver")
    screenshot(page, "settings-1180x820")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Log out").click()

    base = leader_with_a_new_conversation(page, live_server, "leder.fokus@example.org")
    page.goto(f"{base}/aftaler?lang=en")
    page.get_by_role("button", name="Add agreement").click()
    area = page.get_by_label("Strategic area").first
    expect(area.locator("option", has_text="Grøn drift")).to_have_count(1)
    expect(area.locator("option", has_text="Faglig udvikling")).to_have_count(1)
    expect(area.locator("option", has_text="None")).to_have_count(1)
    page.get_by_label("What do we agree on?").first.fill("Kursus i affaldssortering")
    page.get_by_label("Both", exact=True).first.check()
    area.select_option(label="Faglig udvikling")
    page.get_by_role("button", name="Save agreement").first.click()
    expect(page.locator(".agreement-text", has_text="Kursus i affaldssortering")).to_be_visible()
    record = page.request.get(f"{base}/export.json").json()
    assert [a["strategic_area"] for a in record["agreements"]] == ["Faglig udvikling"]


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_open_guide_covers_no_card_or_control(
    page: Page, live_server: LiveServer, size: tuple[int, int]
) -> None:
    base = leader_with_a_new_conversation(
        page, live_server, f"leder.guide.{size[0]}x{size[1]}@example.org"
    )
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{base}/arbejdsglaede?lang=en")
    guide = page.locator("details.guide")
    expect(guide).not_to_have_attribute("open", "")
    guide.locator("summary").tap()
    expect(guide).to_have_attribute("open", "")
    body = guide.bounding_box()
    assert body is not None
    assert body["y"] + body["height"] <= size[1]
    screenshot(page, f"guide-open-{size[0]}x{size[1]}")
    assert serious_axe_violations(page) == []
    # In the flow, not on top: the step (cards, board, tray) gets the room that is left, and
    # no control of the agenda or the step bar is under the guide.
    step = page.locator(".step").bounding_box()
    assert step is not None and not overlaps(body, step)
    controls = page.locator(".step-nav .button:visible, .agenda a:visible, .step-nav form button")
    covered = []
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        if box and box["height"] and overlaps(body, box):
            covered.append(controls.nth(i).inner_text()[:30])
    assert covered == []
    # The step gives the guide its room: its Next is still on screen.
    next_button = page.get_by_role("link", name="Next").bounding_box()
    assert next_button is not None and next_button["y"] + next_button["height"] <= size[1]
    # The tablet remembers it open, on this step and the next.
    page.goto(f"{base}/feedback?lang=en")
    expect(page.locator("details.guide")).to_have_attribute("open", "")
    expect(page.get_by_text("What have we learned that we want to take with us?")).to_be_visible()
    page.locator("details.guide summary").tap()
    page.goto(f"{base}/aftaler?lang=en")
    expect(page.locator("details.guide")).not_to_have_attribute("open", "")


def test_focus_areas_are_put_in_order_from_the_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    email = "facilitator.orden@example.org"
    log_in_as_new(page, live_server, email, role="facilitator", name="Ole")
    page.goto(f"{live_server.url}/settings?lang=en")
    for name in ("Orden A", "Orden B", "Orden C"):
        add_focus_area(page, name, "")
    # Other tests on this server may have added areas of their own before these three.
    names = page.locator("#focus-areas .settings-list").first.locator("strong")
    count = names.count()
    expect(names.nth(count - 1)).to_have_text("Orden C")
    # Enter on C's ↑ until it is first: each move reloads the page, and the focus stays on the
    # arrow, so the next Enter moves C again, without a tab through the page.
    up = page.get_by_role("button", name="Move Orden C up")
    down = page.get_by_role("button", name="Move Orden C down")
    up.focus()
    for place in range(count - 2, -1, -1):
        page.keyboard.press("Enter")
        expect(names.nth(place)).to_have_text("Orden C")
        expect(down if place == 0 else up).to_be_focused()
    # At the top its ↑ can go no further: the focus went to its ↓. The others kept their order.
    expect(up).to_be_disabled()
    expect(names.filter(has_text="Orden")).to_have_text(["Orden C", "Orden A", "Orden B"])
