"""Sessions that end (issue 14, DESIGN §6): a session cookie copied before logout, "Log out
everywhere", a deactivation or a password change is refused at once, also when another client
replays it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts.sessions import hash_token
from app.db import write_session
from app.models import LoginSession, User
from tests.support import PASSWORD, Client, FakeClock, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

EMAIL = "leder@example.org"


def logged_in(client: Client) -> str:
    add_user(client, EMAIL)
    client.login(EMAIL)
    token = client.cookies.get("session")
    assert token
    return token


def replay(client: Client, token: str) -> Client:
    """A second browser holding a copy of the cookie."""
    other = Client(client.app)
    other.cookies.set("session", token)
    return other


def refused(client: Client) -> bool:
    response = client.get("/decks", follow_redirects=False)
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_cookie_holds_a_random_token_whose_hash_alone_is_stored(client: Client) -> None:
    token = logged_in(client)
    with write_session(engine_of(client)) as session:
        rows = list(session.exec(select(LoginSession)))
    assert [row.token_hash for row in rows] == [hash_token(token)]
    assert len(token) >= 43


def test_a_cookie_copied_before_logout_is_refused(client: Client) -> None:
    token = logged_in(client)
    copy = replay(client, token)
    assert not refused(copy)
    response = client.post_form("/logout", {}, follow_redirects=False)
    assert response.status_code == 303
    assert refused(copy)
    assert refused(client)


def test_each_login_gets_a_new_session_id(client: Client) -> None:
    planted = logged_in(client)
    client.login(EMAIL)
    fresh = client.cookies.get("session")
    assert fresh and fresh != planted
    assert refused(replay(client, planted))
    assert not refused(client)


def test_a_cookie_of_a_deactivated_user_is_refused_at_once(client: Client) -> None:
    token = logged_in(client)
    copy = replay(client, token)
    assert not refused(copy)
    with write_session(engine_of(client)) as session:
        user = session.exec(select(User).where(User.email == EMAIL)).one()
        user.is_active = False
        session.add(user)
        session.commit()
    assert refused(copy)
    assert refused(client)


def test_the_own_page_shows_name_email_and_role_and_is_linked_from_the_name(
    client: Client,
) -> None:
    add_user(client, "admin@example.org", role="admin", name="Ada Admin")
    client.login("admin@example.org")
    page = client.get("/account?lang=en").text
    assert "Ada Admin" in page and "admin@example.org" in page and "Administrator" in page
    assert 'href="/account"' in client.get("/decks").text
    assert "Rolle" in client.get("/account?lang=da").text


def test_a_password_change_ends_every_other_session_and_renews_this_one(
    client: Client,
) -> None:
    token = logged_in(client)
    copy = replay(client, token)
    response = client.post_form(
        "/account/password",
        {"current": PASSWORD, "new": "en helt ny og lang adgangssætning"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?changed=1"
    renewed = client.cookies.get("session")
    assert renewed and renewed != token
    assert refused(copy)
    assert not refused(client)
    assert "Din adgangskode er skiftet" in client.get("/account?changed=1").text
    other = Client(client.app)
    assert other.post_form("/login", {"email": EMAIL, "password": PASSWORD}).status_code == 400
    other.login(EMAIL, "en helt ny og lang adgangssætning")


def test_a_wrong_current_password_changes_nothing(client: Client) -> None:
    token = logged_in(client)
    response = client.post_form(
        "/account/password?lang=en",
        {"current": "not the password", "new": "en helt ny og lang adgangssætning"},
    )
    assert response.status_code == 400
    assert "The current password is not right." in response.text
    assert "not the password" not in response.text
    assert not refused(replay(client, token))
    Client(client.app).login(EMAIL)


def test_a_too_short_new_password_says_the_rule(client: Client) -> None:
    logged_in(client)
    response = client.post_form("/account/password", {"current": PASSWORD, "new": "kort"})
    assert response.status_code == 422
    assert "mindst" in response.text


def test_log_out_everywhere_ends_every_session_this_one_too(client: Client) -> None:
    token = logged_in(client)
    elsewhere = Client(client.app)
    elsewhere.login(EMAIL)
    copy = replay(client, token)
    response = client.post_form("/account/logout-everywhere", {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert refused(copy)
    assert refused(elsewhere)
    assert refused(client)


def test_a_common_new_password_is_refused_with_the_rule_named(client: Client) -> None:
    token = logged_in(client)
    response = client.post_form(
        "/account/password?lang=en", {"current": PASSWORD, "new": "Password2024!"}
    )
    assert response.status_code == 422
    assert "among the most common" in response.text
    assert not refused(replay(client, token))


def test_a_busy_session_ends_twelve_hours_after_login(client: Client, clock: FakeClock) -> None:
    logged_in(client)
    for _ in range(24):
        assert not refused(client)
        clock.advance(minutes=30)
    clock.advance(minutes=1)
    response = client.get("/decks", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/decks&expired=1"
    page = client.get(response.headers["location"] + "&lang=en").text
    assert "12 hours after logging in at the latest" in page
