"""Fault drill (issue 17): the disk fills up during a deck upload. The upload is refused
cleanly, in the user's language, nothing of it is left half-stored, and the upload page
works again once there is room."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from app.db import is_busy, is_disk_full, write_session
from app.models import Card, Deck
from app.models.decks import DeckUpload, DeckUploadFile, DeckUploadVariant
from tests.support import PARTIAL, Client, engine_of
from tests.support.conversations import start_conversation
from tests.support.deck_pages import as_role, upload, zip_of

DISK_FULL_DA = "Serverens disk er fuld"


@contextmanager
def disk_full(client: Client, *, room_pages: int = 2) -> Iterator[None]:
    """SQLite's file may grow by ``room_pages`` pages only, as on a disk with no room left
    (an unprivileged test cannot fill a real one): a write that needs more fails with
    SQLite's own "database or disk is full"."""
    engine = engine_of(client)
    with engine.connect() as connection:
        limit = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one()) + room_pages

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={limit}")

    event.listen(engine, "connect", cap)
    engine.dispose()  # every connection from now on is capped
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()


def counts(client: Client) -> dict[str, int]:
    with write_session(engine_of(client)) as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Deck, Card, DeckUpload, DeckUploadFile, DeckUploadVariant)
        }


@pytest.mark.sqlite
def test_a_deck_upload_on_a_full_disk_is_refused_cleanly_and_stores_nothing(
    decks_client: Client,
) -> None:
    client = as_role(decks_client, "facilitator")
    before = counts(client)
    with disk_full(client):
        response = upload(client, [("vores-billeder.zip", zip_of(4))])
    assert response.status_code == 507, response.text
    assert DISK_FULL_DA in response.text
    assert "Traceback" not in response.text and "OperationalError" not in response.text
    assert counts(client) == before
    # Room again: the upload page works, and the same deck goes in.
    assert client.get("/decks/new").status_code == 200
    again = upload(client, [("vores-billeder.zip", zip_of(4))])
    assert again.status_code == 303, again.text
    assert again.headers["location"] == "/decks/vores-billeder/edit"


@pytest.mark.sqlite
def test_a_full_disk_is_said_in_english_too(decks_client: Client) -> None:
    client = as_role(decks_client, "facilitator")
    client.get("/decks/new?lang=en")
    # No room at all: the upload itself cannot be noted, before any image is read.
    with disk_full(client, room_pages=0):
        response = upload(client, [("b.zip", zip_of(4))])
    assert response.status_code == 507
    assert "disk is full, and this was not saved" in response.text


def test_a_full_disk_is_not_try_again_on_either_database() -> None:
    """A full disk does not go away by itself: it is not answered as "busy" (503 and a page
    that retries for ever), on SQLite or on PostgreSQL."""
    sqlite_full = OperationalError(
        "INSERT", {}, sqlite3.OperationalError("database or disk is full")
    )
    postgresql_full = OperationalError(
        "INSERT", {}, psycopg.errors.DiskFull("could not extend file")
    )
    for error in (sqlite_full, postgresql_full):
        assert is_disk_full(error)
        assert not is_busy(error)
    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    assert not is_disk_full(locked)
    assert is_busy(locked)


@pytest.mark.sqlite
def test_a_note_on_a_full_disk_is_refused_with_507_not_try_again(decks_client: Client) -> None:
    """The conversation page sends a 503 again by itself; a full disk would never end, so it
    is a refusal shown beside the field (the words stay in the browser's draft)."""
    url = start_conversation(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    # Longer than a page's free room: the write needs pages the disk does not have.
    words = {"text": "Æblerne er modne. " * 250}
    with disk_full(decks_client, room_pages=0):
        refused = decks_client.post(f"{url}/feedback/went_well", data=words, headers=headers)
    assert refused.status_code == 507
    assert "Retry-After" not in refused.headers
    assert DISK_FULL_DA in refused.text
    saved = decks_client.post(f"{url}/feedback/went_well", data=words, headers=headers)
    assert saved.status_code == 200
