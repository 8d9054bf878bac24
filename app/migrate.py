"""Schema changes go through Alembic, from code, so every entry point can migrate."""

from __future__ import annotations

import fcntl
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from app import PROJECT_DIR

# The key of the PostgreSQL advisory lock that start-up holds ("Arbj" in ASCII).
START_LOCK_KEY = 0x4172626A


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    # ConfigParser interpolation would read a % in a password as a reference.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[None]:
    """Only one process at a time prepares the database: when several start together
    (``serve --workers N``, two containers), the first migrates and loads the default decks,
    the others wait for it and then find nothing left to do. PostgreSQL: an advisory lock;
    SQLite: a lock on a file beside the database (its own write lock cannot span Alembic's
    transactions)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": START_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": START_LOCK_KEY})
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield  # nothing another process could share
        return
    path = start_lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def start_lock_path(database: str) -> Path:
    """The file whose lock one_at_a_time() holds for a SQLite database."""
    return Path(database + ".start-lock")


@functools.cache
def head_revision() -> str | None:
    """The revision this version of the app migrates to: read from disk once per process."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
