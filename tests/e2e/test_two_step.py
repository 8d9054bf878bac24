"""Two-step login for admins (issue 14), as an admin at the tablet sets it up with an
authenticator app and logs in with password and code. The test is the app: it computes the
code with pyotp from the key the page shows."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.browser import LiveServer, screenshot, serious_axe_violations
from tests.support import PASSWORD

ADMIN = "admin.twostep@example.org"


def code(secret: str, ahead: int = 0) -> str:
    """The app's code now, or ``ahead`` time steps later (a step already used is refused)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


def test_an_admin_sets_up_two_step_login_and_logs_in_with_a_code(
    page: Page, live_server: LiveServer
) -> None:
    live_server.cli(
        "create-user", "--email", ADMIN, "--name", "Tove Admin", "--role", "admin", stdin=PASSWORD
    )
    page.goto(f"{live_server.url}/login?lang=en")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.get_by_role("link", name="Tove Admin").click()
    page.get_by_role("button", name="Set up two-step login").click()
    expect(page.get_by_role("heading", name="Two-step login")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    secret = page.locator(".two-step-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert serious_axe_violations(page) == []
    screenshot(page, "two-step-setup")
    page.get_by_label("Code").fill(code(secret))
    page.get_by_role("button", name="Turn on two-step login").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    screenshot(page, "two-step-recovery-codes")
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("button", name="Turn off two-step login")).to_be_visible()
    page.get_by_role("button", name="Log out", exact=True).click()
    page.wait_for_url(re.compile(r"/login$"))

    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step login")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "session"]
    assert serious_axe_violations(page) == []
    screenshot(page, "two-step-login")
    # The next time step's code: the one used at set-up may still be the current one.
    page.get_by_label("Code").fill(code(secret, ahead=1))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("link", name="Tove Admin")).to_be_visible()
    assert [c for c in page.context.cookies() if c["name"] == "session"]
