"""Leader handover in the browser (issue 14): the admin moves a leader's employees to another
leader; the old leader no longer sees them anywhere, the new one sees their history."""

from __future__ import annotations

import re

import pytest

from tests.support import Client, add_user

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

OLD, NEW, ADMIN = "gammel@example.org", "ny@example.org", "admin@example.org"


def as_user(client: Client, email: str) -> None:
    client.post_form("/logout", {})
    client.cookies.clear()
    client.login(email)


def test_handover_moves_employees_and_the_old_leader_sees_nothing(decks_client: Client) -> None:
    client = decks_client
    add_user(client, OLD, name="Gitte Gammel")
    add_user(client, NEW, name="Niels Ny")
    add_user(client, ADMIN, role="admin", name="Anna Admin")
    client.login(OLD)
    made = client.post_form(
        "/conversations",
        {"employee": "Mette Medarbejder", "date": "2026-12-01"},
        follow_redirects=False,
    )
    conversation = re.match(r"/conversations/(\d+)", made.headers["location"])
    assert conversation, made.headers
    url = f"/conversations/{conversation.group(1)}"
    assert client.get(url).status_code == 200

    as_user(client, ADMIN)
    choose = client.get("/admin/handover?lang=en").text
    old_id = re.search(r'<option value="(\d+)"[^>]*>Gitte Gammel', choose)
    assert old_id, choose
    form = client.get(f"/admin/handover?leader={old_id.group(1)}&lang=en").text
    assert "Mette Medarbejder" in form and "1 conversation" in form
    new_id = re.search(r'<option value="(\d+)">Niels Ny', form)
    assert new_id and '<option value="' + old_id.group(1) + '">Gitte' not in form
    done = client.post_form(
        "/admin/handover?lang=en",
        {"from_leader": old_id.group(1), "to_leader": new_id.group(1), "scope": "all"},
    )
    assert done.status_code == 200 and "1 employee was handed over." in done.text

    as_user(client, OLD)
    assert "Mette Medarbejder" not in client.get("/employees").text
    assert "Mette Medarbejder" not in client.get("/").text
    assert client.get(url).status_code == 404
    assert client.get(url + "/export.json").status_code == 404

    as_user(client, NEW)
    assert "Mette Medarbejder" in client.get("/").text
    assert client.get(url).status_code == 200
    employees = client.get("/employees?lang=en").text
    assert "Moved from Gitte Gammel to Niels Ny on 1 December 2026" in employees
    assert (
        "Flyttet fra Gitte Gammel til Niels Ny den 1. december 2026"
        in client.get("/employees?lang=da").text
    )


def test_handover_refusal_is_shown_on_the_page(decks_client: Client) -> None:
    client = decks_client
    add_user(client, OLD, name="Gitte Gammel")
    add_user(client, ADMIN, role="admin")
    client.login(OLD)
    client.post_form("/conversations", {"employee": "Mette", "date": "2026-12-01"})
    as_user(client, ADMIN)
    form = client.get("/admin/handover?lang=en").text
    old_id = re.search(r'<option value="(\d+)"[^>]*>Gitte Gammel', form)
    assert old_id
    refused = client.post_form(
        "/admin/handover?lang=en",
        {"from_leader": old_id.group(1), "to_leader": old_id.group(1), "scope": "all"},
    )
    assert refused.status_code == 422 and "Choose another leader" in refused.text
    none_chosen = client.post_form(
        "/admin/handover?lang=en",
        {"from_leader": old_id.group(1), "to_leader": "0", "scope": "chosen"},
    )
    assert none_chosen.status_code == 422 and "active leader" in none_chosen.text
