"""No SQL statement runs on the event loop (DESIGN §8, 200 tablets at once). A write begins with
BEGIN IMMEDIATE, and waiting there for SQLite's write lock (or for a pooled connection) on the
event loop stops every other request, the one holding the lock too, until the busy timeout
answers "database is locked". The async routes hand their work to a worker thread; what they answer
after that must be built there too."""

from __future__ import annotations

import re

import pytest

from tests import deck_fixtures as fx
from tests.support import PARTIAL, Client
from tests.support.deck_pages import as_role, card_ids, new_deck, upload_and_replace_the_bad_file
from tests.support.sql_watch import Statements, watching

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql


def test_a_deck_upload_and_its_answer_query_in_a_worker(
    client: Client, statements: Statements
) -> None:
    as_role(client, "facilitator")
    statements.in_workers = 0
    fixed = upload_and_replace_the_bad_file(client)
    assert fixed.status_code == 204
    assert statements.in_workers > 0
    assert statements.on_loop == []


def test_a_new_card_picture_and_the_download_query_in_a_worker(
    client: Client, statements: Statements
) -> None:
    as_role(client, "facilitator")
    slug = new_deck(client)
    first = card_ids(client, slug)[0]
    statements.in_workers = 0
    changed = client.post(
        f"/decks/{slug}/cards/{first}/image",
        files=[("image", ("ny.png", fx.photo(fmt="PNG", colour=(200, 9, 9)), "image/png"))],
        headers={"x-csrftoken": client.csrf, **PARTIAL},
    )
    assert changed.status_code == 200, changed.text
    assert client.get(f"/decks/{slug}/download").status_code == 200
    assert statements.in_workers > 0
    assert statements.on_loop == []


def test_a_conversation_tap_and_its_pages_query_in_a_worker(decks_client: Client) -> None:
    client = as_role(decks_client, "leader")
    made = client.post_form("/conversations", {"employee": "Medarbejder A", "date": "2026-12-01"})
    url = str(made.url).removesuffix("/start")
    with watching(client) as statements:
        page = client.get(f"{url}/status").text
        card = re.findall(r'/status/(\d+)"', page)[0]
        tapped = client.post(
            f"{url}/status/{card}",
            data={"picked": "true"},
            headers={"x-csrftoken": client.csrf, **PARTIAL},
        )
        assert tapped.status_code == 200
        assert client.get(f"{url}/arbejdsglaede").status_code == 200
    assert statements.in_workers > 0
    assert statements.on_loop == []
