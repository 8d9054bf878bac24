from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import PROJECT_DIR
from app.accounts import service as accounts
from app.bootstrap import prepare_database
from app.config import Settings
from app.db import make_engine, write_session
from app.main import create_app
from tests import postgres

PASSWORD = "a long and good password"
pytest_plugins = ["tests.browser"]


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
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# The PostgreSQL run: the same tests, each on its own PostgreSQL database (make test-postgresql).
ON_POSTGRESQL = os.environ.get("ARBEJDSGLAEDE_TEST_DATABASE") == "postgresql"


@pytest.fixture(scope="session")
def postgresql() -> Iterator[postgres.Server]:
    yield from postgres.start(Path(tempfile.mkdtemp(prefix="arbejdsglaede-pg-")))


@pytest.fixture(scope="session")
def postgresql_templates(postgresql: postgres.Server) -> dict[bool, str]:
    """Two migrated databases to copy: without and with the default decks."""
    names = {}
    for with_decks in (False, True):
        url = postgresql.create_database()
        folder = Path(tempfile.mkdtemp(prefix="arbejdsglaede-pg-settings-"))
        template = make_settings(
            folder,
            database_url=url,
            load_default_decks=with_decks,
            cards_dir=PROJECT_DIR / "cards" if with_decks else folder / "no-cards",
        )
        engine = make_engine(template.sqlalchemy_url)
        prepare_database(template, engine)
        engine.dispose()
        names[with_decks] = postgres.database_of(url)
    return names


def database_settings(
    request: pytest.FixtureRequest, data_dir: Path, *, with_decks: bool
) -> dict[str, object]:
    if not ON_POSTGRESQL:
        return {}
    templates = request.getfixturevalue("postgresql_templates")
    server: postgres.Server = request.getfixturevalue("postgresql")
    return {"database_url": server.create_database(template=templates[with_decks])}


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "var"
    return make_settings(data_dir, **database_settings(request, data_dir, with_decks=False))


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def decks_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database with the real default decks, made once and copied by each test."""
    folder = tmp_path_factory.mktemp("decks-db")
    settings = make_settings(folder, load_default_decks=True, cards_dir=PROJECT_DIR / "cards")
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    engine.dispose()
    return folder / "arbejdsglaede.db"


@pytest.fixture
def settings_with_decks(
    tmp_path: Path, decks_database: Path, request: pytest.FixtureRequest
) -> Settings:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    shutil.copy(decks_database, data_dir / "arbejdsglaede.db")
    return make_settings(data_dir, **database_settings(request, data_dir, with_decks=True))


class Client(TestClient):
    """A TestClient that knows the CSRF token and how to log in."""

    @property
    def csrf(self) -> str:
        token = self.cookies.get("csrftoken")
        if token is None:
            self.get("/login")
            token = self.cookies.get("csrftoken")
        assert token
        return token

    def post_form(self, url: str, data: dict[str, str], **kwargs: object) -> object:
        return self.post(url, data={"csrftoken": self.csrf, **data}, **kwargs)  # type: ignore[arg-type]

    def login(self, email: str, password: str = PASSWORD) -> None:
        response = self.post(
            "/login",
            data={"csrftoken": self.csrf, "email": email, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def make_client(settings: Settings, clock: FakeClock) -> Client:
    return Client(create_app(settings, clock=clock))


@pytest.fixture
def client(settings: Settings, clock: FakeClock) -> Iterator[Client]:
    with make_client(settings, clock) as client:
        yield client


@pytest.fixture
def decks_client(settings_with_decks: Settings, clock: FakeClock) -> Iterator[Client]:
    with make_client(settings_with_decks, clock) as client:
        yield client


def add_user(client: TestClient, email: str, role: str = "leader", name: str = "Test") -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with write_session(engine) as session:
        accounts.create_user(session, email=email, name=name, role=role, password=PASSWORD)
