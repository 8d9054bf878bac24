"""No SQL statement runs on the event loop (DESIGN §8, 200 tablets at once). A write begins with
BEGIN IMMEDIATE, and waiting there for SQLite's write lock (or for a pooled connection) on the
event loop stops every other request, the one holding the lock too, until the busy timeout
answers "database is locked". The async routes hand their work to a worker thread; what they answer
after that must be built there too."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests import deck_fixtures as fx
from tests.conftest import Client
from tests.web.test_deck_pages_editing import (
    PARTIAL,
    as_role,
    card_ids,
    new_deck,
    upload_and_replace_the_bad_file,
)


def _on_an_event_loop() -> bool:
    """In the thread where TestClient runs the app's event loop. The test's own thread does
    its setup there, and Playwright's sync API keeps a loop running in it once started."""
    if threading.current_thread() is threading.main_thread():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class Statements:
    def __init__(self) -> None:
        self.on_loop: list[str] = []
        self.in_workers = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _on_an_event_loop():
            self.on_loop.append(statement.split("\n")[0][:80])
        else:
            self.in_workers += 1


@contextmanager
def watching(client: Client) -> Iterator[Statements]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    seen = Statements()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.fixture
def statements(client: Client) -> Iterator[Statements]:
    with watching(client) as seen:
        yield seen


def test_a_deck_upload_and_its_answer_query_in_a_worker(
    client: Client, statements: Statements
) -> None:
    as_role(client, "facilitator")
    statements.in_workers = 0
    fixed: Any = upload_and_replace_the_bad_file(client)
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
    url = str(made.url).removesuffix("/start")  # type: ignore[attr-defined]
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
