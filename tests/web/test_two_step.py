"""Two-step login for admins as a browser uses it (issue 14): set-up from the account page,
login with password and code, no session before the code, turning off, an admin's reset."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from sqlmodel import select

from app.config import Settings
from app.db import write_session
from app.models import AuditEvent
from tests.support import Client, FakeClock, add_user, engine_of, make_client

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

ADMIN = "admin@example.org"
OTHER = "anden@example.org"


@pytest.fixture
def admin_client(client: Client) -> Client:
    add_user(client, ADMIN, role="admin", name="Anna Admin")
    client.login(ADMIN)
    return client


def key_on_page(page: str) -> str:
    found = re.search(r'class="two-step-key"[^>]*>([A-Z2-7 ]+)</code>', page)
    assert found, page
    return found.group(1).replace(" ", "")


def set_up(client: Client, clock: FakeClock) -> tuple[str, list[str]]:
    """Two-step login on for the client's admin, through the pages: the key and the codes."""
    client.post_form("/account/two-step/start", {})
    page = client.get("/account/two-step?lang=en").text
    secret = key_on_page(page)
    done = client.post_form(
        "/account/two-step/confirm?lang=en", {"code": pyotp.TOTP(secret).at(clock.now)}
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    return secret, codes


def password_step(client: Client, email: str = ADMIN) -> tuple[int, str, str]:
    """Status, page and the pending token of the login's first step."""
    client.cookies.delete("session")
    response = client.post_form(
        "/login?lang=en",
        {"email": email, "password": "a long and good password"},
        follow_redirects=False,
    )
    found = re.search(r'name="pending" value="([^"]+)"', response.text)
    return response.status_code, response.text, html.unescape(found.group(1)) if found else ""


def code_step(client: Client, pending: str, code: str) -> tuple[int, str]:
    response = client.post_form(
        "/login/code?lang=en", {"pending": pending, "code": code}, follow_redirects=False
    )
    return response.status_code, response.text


def logged_in(client: Client) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_only_admins_are_offered_two_step_login(admin_client: Client) -> None:
    assert "Set up two-step login" in admin_client.get("/account?lang=en").text
    add_user(admin_client, "leder@example.org", role="leader")
    admin_client.cookies.clear()
    admin_client.login("leder@example.org")
    page = admin_client.get("/account?lang=en").text
    assert "two-step" not in page.lower()
    assert admin_client.get("/account/two-step", follow_redirects=False).status_code == 403


def test_setup_shows_a_qr_code_and_the_key_and_needs_a_code(
    admin_client: Client, clock: FakeClock
) -> None:
    start = admin_client.post_form("/account/two-step/start", {}, follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"] == "/account/two-step"
    page = admin_client.get("/account/two-step?lang=en").text
    assert "<svg" in page and "QR code for your authenticator app" in page
    assert re.search(r'<label for="code">Code</label>', page)
    secret = key_on_page(page)
    assert len(secret) == 32
    wrong = f"{(int(pyotp.TOTP(secret).at(clock.now)) + 1) % 1_000_000:06d}"
    refused = admin_client.post_form("/account/two-step/confirm?lang=en", {"code": wrong})
    assert refused.status_code == 400 and "That code is not right" in refused.text
    assert "Set up two-step login" in admin_client.get("/account?lang=en").text
    done = admin_client.post_form(
        "/account/two-step/confirm?lang=en", {"code": pyotp.TOTP(secret).at(clock.now)}
    )
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10 and "Recovery codes" in done.text
    assert done.headers["cache-control"] == "no-store"
    # Shown once: the page afterwards tells how many are left, never the codes.
    again = admin_client.get("/account/two-step?lang=en").text
    assert "10 recovery codes left." in again and codes[0] not in again
    assert "Turn off two-step login" in admin_client.get("/account?lang=en").text


def test_login_with_two_step_starts_no_session_before_the_code(
    admin_client: Client, clock: FakeClock
) -> None:
    secret, _ = set_up(admin_client, clock)
    status, page, pending = password_step(admin_client)
    assert status == 200 and "Two-step login" in page and pending
    assert "session" not in admin_client.cookies
    assert not logged_in(admin_client)
    clock.advance(seconds=30)
    status, _ = code_step(admin_client, pending, pyotp.TOTP(secret).at(clock.now))
    assert status == 303
    assert logged_in(admin_client)


def test_a_wrong_code_is_refused_and_counted(admin_client: Client, clock: FakeClock) -> None:
    secret, _ = set_up(admin_client, clock)
    _, _, pending = password_step(admin_client)
    clock.advance(seconds=30)
    wrong = f"{(int(pyotp.TOTP(secret).at(clock.now)) + 3) % 1_000_000:06d}"
    for _ in range(10):
        status, page = code_step(admin_client, pending, wrong)
        assert status == 400 and "That code is not right" in page
    assert "session" not in admin_client.cookies
    # The eleventh try is refused whatever the code: the address used up its failures.
    status, page = code_step(admin_client, pending, pyotp.TOTP(secret).at(clock.now))
    assert status == 429 and "Too many failed logins" in page
    assert not logged_in(admin_client)


def test_a_code_is_not_accepted_twice(admin_client: Client, clock: FakeClock) -> None:
    secret, _ = set_up(admin_client, clock)
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now)
    _, _, pending = password_step(admin_client)
    assert code_step(admin_client, pending, code)[0] == 303
    _, _, pending = password_step(admin_client)
    status, page = code_step(admin_client, pending, code)
    assert status == 400 and "That code is not right" in page


def test_a_stale_pending_state_is_refused(admin_client: Client, clock: FakeClock) -> None:
    secret, _ = set_up(admin_client, clock)
    _, _, pending = password_step(admin_client)
    clock.advance(minutes=5, seconds=30)
    status, page = code_step(admin_client, pending, pyotp.TOTP(secret).at(clock.now))
    assert status == 400 and "The login took too long" in page
    assert 'name="password"' in page  # back to the start of the login
    assert not logged_in(admin_client)


def test_a_forged_pending_state_is_refused(admin_client: Client, clock: FakeClock) -> None:
    secret, _ = set_up(admin_client, clock)
    _, _, pending = password_step(admin_client)
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now)
    for forged in ("", pending[:-2] + "xx", "WzEsMTc2NDU3OTYwMCwiYWJjIl0"):
        status, page = code_step(admin_client, forged, code)
        assert status == 400 and "The login took too long" in page
    assert not logged_in(admin_client)


def test_a_recovery_code_logs_in_once(admin_client: Client, clock: FakeClock) -> None:
    _, codes = set_up(admin_client, clock)
    _, _, pending = password_step(admin_client)
    assert code_step(admin_client, pending, codes[0])[0] == 303
    _, _, pending = password_step(admin_client)
    assert code_step(admin_client, pending, codes[0])[0] == 400
    with write_session(engine_of(admin_client)) as session:
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert actions.count("recovery_code_used") == 1 and "two_step_on" in actions


def test_turning_off_needs_the_password_and_a_current_code(
    admin_client: Client, clock: FakeClock
) -> None:
    secret, _ = set_up(admin_client, clock)
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now)
    refused = admin_client.post_form(
        "/account/two-step/off?lang=en", {"password": "not my password at all", "code": code}
    )
    assert refused.status_code == 400 and "The current password is not right" in refused.text
    off = admin_client.post_form(
        "/account/two-step/off?lang=en",
        {"password": "a long and good password", "code": code},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert "Two-step login is off." in admin_client.get(off.headers["location"] + "&lang=en").text
    status, _, pending = password_step(admin_client)
    assert status == 303 and not pending  # a password alone logs in again


def test_another_admin_resets_a_lost_phone_from_the_users_page(
    admin_client: Client, clock: FakeClock
) -> None:
    add_user(admin_client, OTHER, role="admin", name="Bo Admin")
    set_up(admin_client, clock)
    admin_client.cookies.clear()
    admin_client.login(OTHER)
    page = admin_client.get("/admin/users?lang=en").text
    assert "Reset two-step login for Anna Admin" in page
    assert "Reset two-step login for Bo Admin" not in page
    assert page.count("Two-step login is on.") == 1
    anna = re.search(r"/admin/users/(\d+)/two-step/reset", page)
    assert anna
    done = admin_client.post_form(anna.group(0), {}, follow_redirects=False)
    assert done.status_code == 303
    assert "Reset two-step login for" not in admin_client.get("/admin/users?lang=en").text
    log = admin_client.get("/admin/audit?lang=en").text
    assert "Reset a user&#39;s two-step login" in log
    status, _, pending = password_step(admin_client, ADMIN)
    assert status == 303 and not pending


@pytest.fixture
def strict_client(settings: Settings, clock: FakeClock) -> Iterator[Client]:
    strict = settings.model_copy(update={"require_admin_totp": True})
    with make_client(strict, clock) as client:
        yield client


def test_a_required_two_step_sends_an_admin_to_set_it_up_at_login(
    strict_client: Client, clock: FakeClock
) -> None:
    add_user(strict_client, ADMIN, role="admin")
    add_user(strict_client, "leder@example.org", role="leader")
    status = strict_client.post_form(
        "/login", {"email": ADMIN, "password": "a long and good password"}, follow_redirects=False
    )
    assert status.headers["location"] == "/account/two-step"
    strict_client.cookies.clear()
    leader = strict_client.post_form(
        "/login",
        {"email": "leder@example.org", "password": "a long and good password"},
        follow_redirects=False,
    )
    assert leader.headers["location"] == "/"
    # With two-step login on, the admin goes where they were going.
    strict_client.cookies.clear()
    strict_client.login(ADMIN)
    key, _ = set_up(strict_client, clock)
    clock.advance(seconds=30)
    _, _, pending = password_step(strict_client)
    response = strict_client.post_form(
        "/login/code",
        {"pending": pending, "code": pyotp.TOTP(key).at(clock.now), "next": "/decks"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/decks"


def test_a_required_two_step_also_follows_an_invitation(
    strict_client: Client, clock: FakeClock
) -> None:
    add_user(strict_client, ADMIN, role="admin")
    strict_client.login(ADMIN)
    # The first admin set up: the invitation is the new admin's way in.
    set_up(strict_client, clock)
    page = strict_client.post_form(
        "/admin/users?lang=en", {"email": OTHER, "name": "Bo Admin", "role": "admin"}
    ).text
    link = re.search(r"/invite/[\w-]+", page)
    assert link
    strict_client.cookies.delete("session")
    accepted = strict_client.post_form(
        link.group(0), {"password": "a sentence the new admin remembers"}, follow_redirects=False
    )
    assert accepted.headers["location"] == "/account/two-step"


def test_after_a_key_change_admins_log_in_while_the_old_key_is_named_as_previous(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    secret, _ = set_up(admin_client, clock)
    old_key = admin_client.app.state.secret_keys[0]
    new_key = "a-new-secret-key-after-the-old-one-was-seen-0123"
    changed = settings.model_copy(update={"secret_key": new_key, "previous_secret_keys": [old_key]})
    with make_client(changed, clock) as client:
        _, _, pending = password_step(client)
        clock.advance(seconds=30)
        status, _ = code_step(client, pending, pyotp.TOTP(secret).at(clock.now))
        assert status == 303 and logged_in(client)
    # That login stored the secret again under the new key: the old one can go.
    only_new = settings.model_copy(update={"secret_key": new_key, "previous_secret_keys": []})
    with make_client(only_new, clock) as client:
        _, _, pending = password_step(client)
        clock.advance(seconds=30)
        status, _ = code_step(client, pending, pyotp.TOTP(secret).at(clock.now))
        assert status == 303 and logged_in(client)


def test_previous_secret_keys_are_read_from_a_comma_separated_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current, older, oldest = ("c" * 40, "b" * 40, "a" * 40)
    monkeypatch.setenv("ARBEJDSGLAEDE_SECRET_KEY", current)
    monkeypatch.setenv("ARBEJDSGLAEDE_PREVIOUS_SECRET_KEYS", f" {older}, {oldest},")
    assert Settings(data_dir=tmp_path).secret_keys() == (current, older, oldest)
    # A short key is refused, as the secret key is: the server does not start on it.
    monkeypatch.setenv("ARBEJDSGLAEDE_PREVIOUS_SECRET_KEYS", f"{older},short")
    with pytest.raises(ValueError, match="previous_secret_keys"):
        Settings(data_dir=tmp_path)
    monkeypatch.delenv("ARBEJDSGLAEDE_PREVIOUS_SECRET_KEYS")
    assert Settings(data_dir=tmp_path).secret_keys() == (current,)
