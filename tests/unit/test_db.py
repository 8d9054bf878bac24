from __future__ import annotations

import fcntl
import shutil
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app import bootstrap
from app.config import Settings
from app.db import make_engine, read_session, write_session, write_transaction, writes
from app.migrate import START_LOCK_KEY, alembic_config, one_at_a_time, start_lock_path
from app.models import LoginFailure
from tests.support import ON_POSTGRESQL

THREADS = 8
WRITES_EACH = 40


def test_the_tests_run_on_the_database_of_their_run(settings: Settings) -> None:
    """The PostgreSQL run really is one: every test's settings point at PostgreSQL."""
    assert settings.sqlalchemy_url.startswith("postgresql+psycopg://") == ON_POSTGRESQL
    assert settings.sqlalchemy_url.startswith("sqlite:///") != ON_POSTGRESQL


def test_migrations_build_the_models_schema(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if ON_POSTGRESQL:
        url = request.getfixturevalue("postgresql").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    # alembic check fails when the models and the migrations disagree.
    command.check(config)


@pytest.mark.sqlite
def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


@pytest.mark.sqlite
def test_concurrent_read_then_write_transactions_all_succeed(
    tmp_path: Path, migrated_database: Path
) -> None:
    """Each thread reads a count, then writes: with a deferred BEGIN most of these fail at once
    with "database is locked"; with BEGIN IMMEDIATE every one waits its turn."""
    shutil.copy(migrated_database, tmp_path / "c.db")
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url, pool_size=THREADS, max_overflow=0)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(n: int) -> None:
        start.wait()
        for i in range(WRITES_EACH):
            try:
                with write_session(engine) as session:
                    seen = len(session.exec(select(LoginFailure.id)).all())
                    session.add(LoginFailure(email=f"{n}-{i}-{seen}", address="t"))
                    session.commit()
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with read_session(engine) as session:
        count = session.exec(text("SELECT count(*) FROM login_failures")).one()  # type: ignore[call-overload]
    assert count[0] == THREADS * WRITES_EACH
    engine.dispose()


def _failures(engine: Engine) -> list[str]:
    with write_session(engine) as session:
        return list(session.exec(select(LoginFailure.email)).all())


@writes
def _add_failure(session: Session, *, email: str, fail: bool = False) -> None:
    session.add(LoginFailure(email=email, address="t"))
    if fail:
        raise ValueError(email)


def test_a_write_service_commits_when_it_returns(engine: Engine) -> None:
    with read_session(engine) as session:
        _add_failure(session, email="kept")
        assert not session.in_transaction()
    assert _failures(engine) == ["kept"]


def test_a_write_service_rolls_back_when_it_raises(engine: Engine) -> None:
    with read_session(engine) as session:
        with pytest.raises(ValueError):
            _add_failure(session, email="lost", fail=True)
        _add_failure(session, email="kept")
    assert _failures(engine) == ["kept"]


def test_a_write_inside_another_joins_it(engine: Engine) -> None:
    with read_session(engine) as session, pytest.raises(ValueError), write_transaction(session):
        _add_failure(session, email="first")
        _add_failure(session, email="second", fail=True)
    assert _failures(engine) == []


def test_reads_after_a_write_run_in_a_deferred_transaction(engine: Engine) -> None:
    with read_session(engine) as session:
        _add_failure(session, email="a")
        session.exec(select(LoginFailure.id)).all()
        assert session.connection().get_execution_options().get("read_only") is True


def test_a_session_that_reads_refuses_a_write_outside_a_transaction(engine: Engine) -> None:
    """A write in a deferred transaction fails at once on SQLite when another writer holds the
    lock, whatever the busy timeout; every write goes through write_transaction()."""
    with read_session(engine) as session:
        session.add(LoginFailure(email="stray", address="t"))
        with pytest.raises(RuntimeError, match="write_transaction"):
            session.flush()
    assert _failures(engine) == []


def another_process_could_prepare(engine: Engine) -> bool:
    """Whether someone else could take the start-up lock now (without waiting for it)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": START_LOCK_KEY}
            ).scalar()
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": START_LOCK_KEY})
            return bool(taken)
    # flock belongs to the open file: a second open stands for another process.
    with start_lock_path(engine.url.database or "").open("a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_one_process_at_a_time_prepares_the_database(engine: Engine) -> None:
    """serve --workers N, or two containers starting together: the others wait, then find
    the migration done, instead of migrating the same database at once."""
    with one_at_a_time(engine):
        assert not another_process_could_prepare(engine)
    assert another_process_could_prepare(engine)


def test_preparing_takes_the_start_up_lock(
    settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[bool] = []

    def upgrade(url: str) -> None:
        held.append(not another_process_could_prepare(engine))

    monkeypatch.setattr(bootstrap.migrate, "upgrade", upgrade)
    bootstrap.prepare_database(settings, engine)
    assert held == [True]
