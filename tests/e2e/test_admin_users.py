"""Accounts in the browser, in real Chromium (DESIGN §7, issue 14): an admin invites a leader,
the leader opens the one-time link in a browser of their own, chooses a password and is
logged in; the admin deactivates them and the leader's next page is the login page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser import TABLET, LiveServer, log_in, screenshot, serious_axe_violations

INVITEE = "inviteret.leder@example.org"
INVITEE_PASSWORD = "the leader's own long password"


def test_an_invited_leader_sets_a_password_and_a_deactivation_ends_their_session(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    log_in(page, live_server)
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    page.get_by_role("button", name="Invite user").click()
    page.get_by_label("E-mail").fill(INVITEE)
    page.get_by_label("Name").fill("Ida Inviteret")
    page.get_by_label("Role").select_option("leader")
    assert serious_axe_violations(page) == []
    page.get_by_role("button", name="Make invitation link").click()
    link = page.get_by_label("Link", exact=True)
    expect(link).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/invite/\S+$"))
    url = link.input_value()
    screenshot(page, "admin-users-invitation")

    # The leader's own browser: no cookie of the admin's.
    leader_context = browser.new_context(viewport=TABLET, has_touch=True, locale="da-DK")
    try:
        leader = leader_context.new_page()
        leader.goto(url + "?lang=en")
        leader.get_by_label("Password").fill(INVITEE_PASSWORD)
        leader.get_by_role("button", name="Save password and log in").click()
        leader.wait_for_url(f"{live_server.url}/")
        expect(leader.get_by_role("button", name="Log out")).to_be_visible()
        expect(leader.get_by_role("link", name="New conversation")).to_be_visible()

        page.goto(f"{live_server.url}/admin/users?lang=en")
        row = page.get_by_role("row", name=re.compile("Ida Inviteret"))
        expect(row.get_by_role("cell", name="Active", exact=True)).to_be_visible()
        row.get_by_role("button", name="Deactivate").click()
        expect(row.get_by_role("cell", name="Deactivated", exact=True)).to_be_visible()

        leader.goto(f"{live_server.url}/employees?lang=en")
        # Every request checks the session and its user: the deactivation holds at once.
        expect(leader).to_have_url(re.compile(r"/login"))
    finally:
        leader_context.close()
