"""Sessions that end (issue 14, DESIGN §6): a session cookie copied before logout, "Log out
everywhere", a deactivation or a password change is refused at once, also when another client
replays it."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.sessions import hash_token
from app.db import write_session
from app.models import LoginSession, User
from tests.support import Client, add_user, engine_of

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
