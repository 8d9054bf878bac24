"""Agreements at the tablet by keyboard: after saving or deleting, focus goes on from the
agreement (its "Edit" button, or "Add agreement"), not back to the top of the page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser import LiveServer, leader_with_a_new_conversation


def test_focus_goes_on_from_a_saved_or_deleted_agreement(
    page: Page, live_server: LiveServer
) -> None:
    base = leader_with_a_new_conversation(page, live_server, "leder.aftaler@example.org")
    page.goto(f"{base}/aftaler?lang=en")
    add = page.get_by_role("button", name="Add agreement")
    add.click()
    page.get_by_label("What do we agree on?").first.fill("Kursus i facilitering")
    page.get_by_label("Both", exact=True).first.check()
    page.get_by_role("button", name="Save agreement").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".agreement-text", has_text="Kursus i facilitering")).to_be_visible()
    expect(add).to_be_focused()

    edit = page.locator(".agreement").first.get_by_role("button", name="Edit")
    edit.click()
    text = page.locator(".agreement").first.get_by_label("What do we agree on?")
    text.fill("Kursus i facilitering før sommer")
    page.locator(".agreement").first.get_by_role("button", name="Save agreement").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".agreement-text", has_text="før sommer")).to_be_visible()
    expect(page.locator(".agreement").first.get_by_role("button", name="Edit")).to_be_focused()

    page.get_by_role(
        "button", name="Delete the agreement: Kursus i facilitering før sommer"
    ).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("No agreements yet.")).to_be_visible()
    expect(add).to_be_focused()
