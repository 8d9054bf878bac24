"""Engine, sessions and the SQLite pragmas every connection needs."""

from __future__ import annotations

import functools
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext
from sqlmodel import Session

# How long a write waits for SQLite's one write lock (its busy timeout). Under overload a tap
# must slow down, not fail: 5 s was too short on a machine whose cores were busy with other
# work (5 of 4,304 writes failed with "database is locked" in the 200-tablet benchmark). A
# tablet's tap waits for its answer as long as it takes, and a proxy such as nginx gives up
# after 60 s, so a write may wait half of that (Settings.write_wait_seconds).
WRITE_WAIT_SECONDS = 30.0


class ValueOutOfRange(Exception):
    """A number the database cannot hold (an id of 23 digits in a URL or a form): whatever
    it names cannot exist. The app answers it as "not found"."""


def _out_of_range(context: ExceptionContext) -> None:
    error = context.original_exception
    # SQLite's driver refuses an int beyond 64 bits before sending it; PostgreSQL refuses a
    # value beyond its column's type (4 bytes for INTEGER) with SQLSTATE 22003.
    if (isinstance(error, OverflowError) and "SQLite INTEGER" in str(error)) or getattr(
        error, "sqlstate", None
    ) == "22003":
        raise ValueOutOfRange() from error


def make_engine(
    url: str, *, write_wait_seconds: float = WRITE_WAIT_SECONDS, **kwargs: Any
) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and immediate write transactions,
    whose writes wait up to ``write_wait_seconds`` for the write lock. On both, a number out
    of the database's range raises ValueOutOfRange."""
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
        event.listen(engine, "handle_error", _out_of_range)
        return engine
    busy_timeout_ms = round(write_wait_seconds * 1000)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        **kwargs,
    )
    event.listen(engine, "handle_error", _out_of_range)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE: a deferred BEGIN that reads and then writes fails at once with
        # "database is locked" when another writer got there first, whatever the busy timeout.
        if connection.get_execution_options().get("read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_busy(error: BaseException) -> bool:
    """The database could not do it now, and may in a moment: SQLite's write lock still held
    after the busy timeout, no connection free in the pool, PostgreSQL away or restarting, a
    serialization failure or deadlock. The answer is "try again", never an error page."""
    if isinstance(error, sa_exc.TimeoutError):
        return True  # no connection free in the pool within its timeout
    if not isinstance(error, sa_exc.OperationalError) or is_disk_full(error):
        return False
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        # Only the lock: SQLite also calls a missing table an OperationalError, a bug to see.
        text = str(original).lower()
        return "locked" in text or "busy" in text
    # psycopg's OperationalError covers exactly the transient kinds (connection lost,
    # server shutting down, serialization failure, deadlock, lock timeout).
    return True


# SQLite's SQLITE_FULL and PostgreSQL's disk_full (SQLSTATE 53100).
_SQLITE_FULL = 13
_DISK_FULL_SQLSTATE = "53100"


def is_disk_full(error: BaseException) -> bool:
    """The database has no room left for the write: nothing was written, and trying again
    helps only once someone has made room. The answer says so, never an error page."""
    original = getattr(error, "orig", error)
    if isinstance(original, sqlite3.OperationalError):
        return getattr(original, "sqlite_errorcode", None) == _SQLITE_FULL or (
            "database or disk is full" in str(original)
        )
    return getattr(original, "sqlstate", None) == _DISK_FULL_SQLSTATE


_READ_ONLY: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def read_session(engine: Engine) -> Session:
    """A session that reads in deferred transactions, which never block writers, and writes
    only inside write_transaction(). Every request has one."""
    # One option-engine per engine: making it anew for every request costs more than the read.
    reader = _READ_ONLY.get(engine)
    if reader is None:
        reader = _READ_ONLY[engine] = engine.execution_options(read_only=True)
        # A session that reads writes only inside write_transaction(), where it takes the
        # write lock first; a write in a deferred transaction could fail at once on SQLite.
        event.listen(reader, "before_cursor_execute", _refuse_writes_outside_a_transaction)
    return Session(reader, expire_on_commit=False)


def write_session(engine: Engine) -> Session:
    """A session whose every transaction may write: for start-up, commands and tests."""
    return Session(engine, expire_on_commit=False)


def engine_of(session: Session) -> Engine:
    """The engine a session runs on, also when it was bound to a connection."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """The one place a write begins and ends. The block runs in a write transaction
    (``BEGIN IMMEDIATE`` on SQLite, a plain transaction on PostgreSQL), which commits when the
    block ends, also when it changed nothing (a double tap), and rolls back when it raises.
    After it the session reads again in deferred transactions, so the answer is rendered
    without SQLite's one write lock: with 200 tablets at once, holding it through the render
    was half of all the time it was held, and writers waiting past the busy timeout failed
    with "database is locked" (DESIGN §8). A block inside another joins the outer one."""
    depth: int = session.info.get(_DEPTH, 0)
    if depth:
        session.info[_DEPTH] = depth + 1
        try:
            yield
        finally:
            session.info[_DEPTH] = depth
        return
    if session.in_transaction():
        # Reads so far ran in a deferred transaction; the write lock cannot be taken there.
        session.commit()
    session.info[_DEPTH] = 1
    try:
        session.connection(execution_options=_WRITE)
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0


_DEPTH = "write_transaction_depth"
_WRITE = {"read_only": False}
P = ParamSpec("P")
T = TypeVar("T")


def writes(service: Callable[Concatenate[Session, P], T]) -> Callable[Concatenate[Session, P], T]:
    """Marks a service that changes data: it runs whole in one write_transaction()."""

    @functools.wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> T:
        with write_transaction(session):
            return service(session, *args, **kwargs)

    return run


def rows_changed(result: object) -> int:
    """How many rows an UPDATE or DELETE touched. Session.execute() is typed as returning a
    plain Result, which has no ``rowcount``; the CursorResult it returns for these has one."""
    return int(getattr(result, "rowcount", 0) or 0)


def _refuse_writes_outside_a_transaction(
    connection: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    if connection.get_execution_options().get("read_only") and (
        context.isinsert or context.isupdate or context.isdelete
    ):
        raise RuntimeError(f"a write outside write_transaction(): {statement.split()[0]}")


# The session dependency is async on purpose: making a Session does no I/O, and a sync
# dependency costs a worker-thread hop on the way in and another on the way out.
async def get_session(request: Request) -> AsyncIterator[Session]:
    """Every request's session reads; its services write inside write_transaction()."""
    session = read_session(request.app.state.engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
