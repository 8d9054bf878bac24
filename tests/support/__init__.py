"""What the tests share besides fixtures: settings, the clock, the HTTP client, constants.

Fixtures live in conftest.py files and only there; a test module imports helpers from here
(or another module of tests/support), never from a conftest.py or another test module.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.accounts import service as accounts
from app.config import Settings
from app.db import write_session
from app.main import create_app

PASSWORD = "a long and good password"
# The headers of an htmx request that swaps a fragment (htmx 4): the app answers a partial.
PARTIAL = {"HX-Request": "true", "HX-Request-Type": "partial"}
# The PostgreSQL run: the same tests, each on its own PostgreSQL database (make test-postgresql).
ON_POSTGRESQL = os.environ.get("ARBEJDSGLAEDE_TEST_DATABASE") == "postgresql"
# The name of the SQLite database in a data directory (Settings.sqlalchemy_url).
DATABASE_FILE = "arbejdsglaede.db"


class FakeClock:
    """Time that tests move on purpose."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "load_default_decks": False,
        "cards_dir": data_dir / "no-cards",
        # TestClient's host; a real server is reached at its base_url or a loopback name.
        "allowed_hosts": ["testserver"],
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


class Client(TestClient):
    """A TestClient of the app that knows the CSRF token and how to log in."""

    app: FastAPI

    @property
    def csrf(self) -> str:
        token = self.cookies.get("csrftoken")
        if token is None:
            self.get("/login")
            token = self.cookies.get("csrftoken")
        assert token
        return token

    def post_form(self, url: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.post(url, data={"csrftoken": self.csrf, **data}, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> None:
        response = self.post(
            "/login",
            data={"csrftoken": self.csrf, "email": email, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


class Pauses(list[float]):
    """The waits a slowed-down login asked for, taken at once (no sleep in tests)."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(settings: Settings, clock: FakeClock) -> Client:
    app = create_app(settings, clock=clock)
    app.state.sleep = Pauses()
    return Client(app)


def engine_of(client: Client) -> Engine:
    """The engine of the client's app."""
    engine: Engine = client.app.state.engine
    return engine


def add_user(client: Client, email: str, role: str = "leader", name: str = "Test") -> None:
    with write_session(engine_of(client)) as session:
        accounts.create_user(session, email=email, name=name, role=role, password=PASSWORD)
