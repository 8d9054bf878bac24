"""Overload slows, never fails (issue 17): a write waits for the database as long as its
client would, and when it truly cannot be done it is answered 503 "try again", never 500."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db import is_busy
from app.main import RETRY_AFTER_SECONDS, create_app
from tests.browser import free_port
from tests.support import (
    PARTIAL,
    Client,
    FakeClock,
    add_user,
    engine_of,
    make_client,
    make_settings,
)
from tests.support.conversations import start_conversation

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

# The busy timeout before issue 17: a write still waiting after it failed with a 500.
OLD_BUSY_TIMEOUT_SECONDS = 5
BUSY_DA = "Serveren har meget travlt, og det er ikke gemt endnu. Prøv igen om et øjeblik."
# A page opened (nothing was sent to be saved) says only that, and that it tries again.
BUSY_PAGE_DA = "Serveren har meget travlt lige nu."


def first_status_card(client: Client, url: str) -> str:
    found = re.search(r'/status/(\d+)"', client.get(f"{url}/status").text)
    assert found
    return found.group(1)


@contextmanager
def write_lock_held(settings: Settings) -> Iterator[sqlite3.Connection]:
    """SQLite's one write lock, taken by another connection (another process's writer)."""
    database = settings.sqlalchemy_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("COMMIT")
        holder.close()


def a_write_is_waiting(client: Client) -> threading.Event:
    """Set when the app asks SQLite for the write lock."""
    asked = threading.Event()

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            asked.set()

    event.listen(engine_of(client), "before_cursor_execute", seen)
    return asked


def pick(client: Client, url: str, card: str) -> httpx.Response:
    headers = {**PARTIAL, "x-csrftoken": client.csrf}
    return client.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers)


@pytest.mark.sqlite
def test_a_pick_waits_for_a_lock_held_longer_than_the_old_busy_timeout(
    decks_client: Client, settings_with_decks: Settings
) -> None:
    url = start_conversation(decks_client)
    card = first_status_card(decks_client, url)
    asked = a_write_is_waiting(decks_client)
    answers: list[httpx.Response] = []
    with write_lock_held(settings_with_decks):
        sender = threading.Thread(target=lambda: answers.append(pick(decks_client, url, card)))
        sender.start()
        assert asked.wait(timeout=60)
        # Held past what a write used to wait: it must still be waiting, not failed.
        threading.Event().wait(OLD_BUSY_TIMEOUT_SECONDS + 1)
        assert answers == []
    sender.join()
    assert answers[0].status_code == 200
    assert decks_client.get(f"{url}/status").text.count('aria-pressed="true"') == 1


@pytest.fixture
def impatient_client(settings_with_decks: Settings, clock: FakeClock) -> Iterator[Client]:
    """The app with a short write wait, so that a held lock outlasts it at once."""
    settings = settings_with_decks.model_copy(update={"write_wait_seconds": 0.05})
    with make_client(settings, clock) as client:
        yield client


@pytest.mark.sqlite
def test_a_write_that_cannot_get_the_lock_is_answered_503_try_again(
    impatient_client: Client, settings_with_decks: Settings
) -> None:
    url = start_conversation(impatient_client)
    card = first_status_card(impatient_client, url)
    with write_lock_held(settings_with_decks):
        busy = pick(impatient_client, url, card)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert BUSY_DA in busy.text
    # htmx shows it in the page's message area, as any refusal.
    assert busy.headers["HX-Retarget"] == "#messages"
    # Nothing was half-done: sent again once the lock is free, the pick is saved once.
    assert pick(impatient_client, url, card).status_code == 200
    assert impatient_client.get(f"{url}/status").text.count('aria-pressed="true"') == 1


@pytest.mark.sqlite
def test_the_busy_answer_is_in_the_users_language(
    impatient_client: Client, settings_with_decks: Settings
) -> None:
    url = start_conversation(impatient_client)
    card = first_status_card(impatient_client, url)
    with write_lock_held(settings_with_decks):
        busy = pick(impatient_client, f"{url}", f"{card}?lang=en")
    assert busy.status_code == 503
    assert "The server is very busy, and this was not saved yet." in busy.text


@pytest.mark.sqlite
def test_a_full_page_write_gets_the_busy_page_not_a_server_error(
    impatient_client: Client, settings_with_decks: Settings
) -> None:
    add_user(impatient_client, "leder@example.org")
    impatient_client.login("leder@example.org")
    with write_lock_held(settings_with_decks):
        busy = impatient_client.post_form(
            "/conversations", {"employee": "Anden", "date": "2026-12-01"}, follow_redirects=False
        )
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "<html" in busy.text and BUSY_DA in busy.text
    # Sent again only by a person: reloading would not send the form again.
    assert 'http-equiv="refresh"' not in busy.text


@pytest.mark.sqlite
def test_a_page_opened_while_the_database_is_busy_reloads_itself(
    impatient_client: Client, settings_with_decks: Settings
) -> None:
    """Opening a step records where the conversation is (a write): when that waits too long,
    the page says so and opens itself again after the wait the server asks for."""
    url = start_conversation(impatient_client)
    with write_lock_held(settings_with_decks):
        busy = impatient_client.get(f"{url}/status")
    assert busy.status_code == 503
    assert BUSY_PAGE_DA in busy.text and "Siden prøver igen af sig selv" in busy.text
    refresh = f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">'
    assert refresh in busy.text
    assert impatient_client.get(f"{url}/status").status_code == 200


def test_only_a_busy_database_is_try_again() -> None:
    """A bug (a missing table) must not hide behind "try again"."""
    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    missing = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    assert is_busy(locked)
    assert not is_busy(missing)
    assert not is_busy(ValueError("database is locked"))


def test_a_database_that_is_away_is_answered_503_not_500(tmp_path: Path, clock: FakeClock) -> None:
    """PostgreSQL restarting (nothing listens on its port): "try again", and no error page."""
    away = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/arbejdsglaede"
    settings = make_settings(tmp_path, database_url=away)
    # Not entered as a context: start-up would try to migrate the database that is away.
    client = Client(create_app(settings, clock=clock))
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert BUSY_PAGE_DA in answer.text
