"""Fixtures of the web tests; their helpers live in tests/support."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import Client
from tests.support.deck_pages import as_role
from tests.support.sql_watch import Statements, watching


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/web/" in str(item.path):
            item.add_marker(pytest.mark.web)


@pytest.fixture
def facilitator(client: Client) -> Client:
    """The client, logged in as a facilitator (who may bring and edit decks)."""
    return as_role(client, "facilitator")


@pytest.fixture
def statements(client: Client) -> Iterator[Statements]:
    """The SQL statements the client's app runs from here on, and where they ran."""
    with watching(client) as seen:
        yield seen
