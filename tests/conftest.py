"""The fixtures every test may use: settings, a database copied from a migrated template,
the clock and the HTTP client. Helpers that are not fixtures live in tests/support."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session

from app import PROJECT_DIR
from app.accounts import service as accounts_service
from app.bootstrap import prepare_database
from app.config import Settings
from app.db import make_engine, write_session
from tests import postgres
from tests.support import (
    DATABASE_FILE,
    ON_POSTGRESQL,
    Client,
    FakeClock,
    make_client,
    make_settings,
)

pytest_plugins = ["tests.browser"]

# argon2 at its real cost (64 MiB, three passes) takes a quarter of a second per hash here, and
# most tests make a user and log in: half the time of the unit and web tests went to it. They
# hash with the same argon2id at the lowest cost; the tests about hashing itself (its cost, its
# memory, its place outside the write lock) are marked ``real_password_hashing``, and the
# browser tests' servers, separate processes, always hash at the real cost.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
QUICK_DUMMY_HASH = QUICK_HASHER.hash("an unknown e-mail is checked against this")


@pytest.fixture(autouse=True)
def _quick_password_hashing(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("real_password_hashing"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_service, "_hasher", QUICK_HASHER)
        patch.setattr(accounts_service, "_DUMMY_HASH", QUICK_DUMMY_HASH)
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _migrate(settings: Settings) -> None:
    engine = make_engine(settings.sqlalchemy_url)
    prepare_database(settings, engine)
    engine.dispose()


def _with_decks(folder: Path, **overrides: object) -> Settings:
    return make_settings(
        folder, load_default_decks=True, cards_dir=PROJECT_DIR / "cards", **overrides
    )


def _made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that ``make`` fills once per run: the workers of a parallel run (pytest-xdist)
    share it, the first one makes it while the others wait."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = factory.mktemp(name)
        make(folder)
        return folder
    folder = factory.getbasetemp().parent / name  # the run's folder, above each worker's
    with (folder.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / "done").touch()
    return folder


# One database migrated once per run and copied by each test: running the Alembic chain for
# every test cost more than most tests. tests/unit/test_db.py runs the chain itself.
@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated to head, without decks."""
    folder = _made_once(tmp_path_factory, "migrated-db", lambda f: _migrate(make_settings(f)))
    return folder / DATABASE_FILE


@pytest.fixture(scope="session")
def decks_database(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Path:
    """An SQLite database migrated to head, with the real default decks."""

    def make(folder: Path) -> None:
        shutil.copy(migrated_database, folder / DATABASE_FILE)
        _migrate(_with_decks(folder))

    return _made_once(tmp_path_factory, "decks-db", make) / DATABASE_FILE


@pytest.fixture(scope="session")
def postgresql() -> Iterator[postgres.Server]:
    yield from postgres.start(postgres.scratch_folder("arbejdsglaede-pg-"))


@pytest.fixture(scope="session")
def postgresql_templates(
    postgresql: postgres.Server, tmp_path_factory: pytest.TempPathFactory
) -> dict[bool, str]:
    """Two migrated databases to copy: without and with the default decks."""
    names = {}
    for with_decks in (False, True):
        url = postgresql.create_database()
        folder = tmp_path_factory.mktemp("pg-settings")
        template = (
            _with_decks(folder, database_url=url)
            if with_decks
            else make_settings(folder, database_url=url)
        )
        _migrate(template)
        names[with_decks] = postgres.database_of(url)
    return names


def database_settings(
    request: pytest.FixtureRequest, data_dir: Path, *, with_decks: bool
) -> dict[str, object]:
    """A copy of this run's migrated template database: its settings."""
    if ON_POSTGRESQL:
        templates = request.getfixturevalue("postgresql_templates")
        server: postgres.Server = request.getfixturevalue("postgresql")
        url = server.create_database(template=templates[with_decks])
        request.addfinalizer(lambda: server.drop_database(url))
        return {"database_url": url}
    template: Path = request.getfixturevalue(
        "decks_database" if with_decks else "migrated_database"
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, data_dir / DATABASE_FILE)
    return {}


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "var"
    return make_settings(data_dir, **database_settings(request, data_dir, with_decks=False))


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with write_session(engine) as session:
        yield session


@pytest.fixture
def settings_with_decks(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    data_dir = tmp_path / "var"
    return make_settings(data_dir, **database_settings(request, data_dir, with_decks=True))


@pytest.fixture
def client(settings: Settings, clock: FakeClock) -> Iterator[Client]:
    with make_client(settings, clock) as client:
        yield client


@pytest.fixture
def decks_client(settings_with_decks: Settings, clock: FakeClock) -> Iterator[Client]:
    with make_client(settings_with_decks, clock) as client:
        yield client
