from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.bootstrap import announce_setup_link
from app.config import Settings
from tests.support import PASSWORD, Client, FakeClock, add_user, make_client

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql


def setup_token(client: Client, clock: FakeClock) -> str:
    app = client.app
    url = announce_setup_link(app.state.settings, app.state.engine, clock)
    assert url
    return parse_qs(urlsplit(url).query)["token"][0]


def test_setup_link_creates_the_first_admin_once(client: Client, clock: FakeClock) -> None:
    token = setup_token(client, clock)
    assert "Opret den første administrator" in client.get(f"/setup?token={token}").text
    response = client.post_form(
        "/setup",
        {"token": token, "email": "admin@example.org", "name": "Admin", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert client.get("/decks").status_code == 200
    again = client.get(f"/setup?token={token}&lang=en")
    assert again.status_code == 410
    assert "expired or has already been used" in again.text


def test_expired_setup_link_gets_a_clear_page(client: Client, clock: FakeClock) -> None:
    token = setup_token(client, clock)
    clock.advance(hours=25)
    response = client.get(f"/setup?token={token}")
    assert response.status_code == 410
    assert "udløbet" in response.text


def test_setup_form_keeps_what_was_typed_when_the_password_is_too_short(
    client: Client, clock: FakeClock
) -> None:
    token = setup_token(client, clock)
    response = client.post_form(
        "/setup", {"token": token, "email": "admin@example.org", "name": "Admin", "password": "x"}
    )
    assert response.status_code == 422
    assert 'value="admin@example.org"' in response.text
    assert "mindst 12 tegn" in response.text


def test_first_start_prints_the_setup_link_and_a_later_start_does_not(
    settings: Settings, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    with make_client(settings, clock) as client:
        assert "/setup?token=" in capsys.readouterr().out
        add_user(client, "admin@example.org", role="admin")
    with make_client(settings, clock):
        assert "/setup?token=" not in capsys.readouterr().out
