"""A conversation started through the planning form, for the web tests that need one."""

from __future__ import annotations

from tests.support import Client, add_user


def start_conversation(client: Client) -> str:
    """A leader logged in on ``client`` with a conversation planned: its URL, without a step."""
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    response = client.post_form(
        "/conversations", {"employee": "Medarbejder", "date": "2026-12-01"}, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.headers["location"]).removesuffix("/start")
