"""Engine, sessions and the SQLite pragmas every connection needs."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and immediate write transactions."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that the "begin" hook below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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


_READ_ONLY: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def read_session(engine: Engine) -> Session:
    """A session for pure reads: a deferred transaction that never blocks writers."""
    # One option-engine per engine: making it anew for every request costs more than the read.
    reader = _READ_ONLY.get(engine)
    if reader is None:
        reader = _READ_ONLY[engine] = engine.execution_options(read_only=True)
    return Session(reader, expire_on_commit=False)


def write_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def engine_of(session: Session) -> Engine:
    """The engine a session runs on, also when it was bound to a connection."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def only_reads_from_here(session: Session) -> None:
    """The request's write is done (the service committed, or changed nothing); the answer
    is rendered with reads in a deferred transaction. Another BEGIN IMMEDIATE would hold
    SQLite's one write lock through the render and until the session is closed on the event
    loop: with 200 tablets at once that was half of all the time the lock was held, and
    writers waiting past the busy timeout failed with "database is locked" (DESIGN §8)."""
    if session.in_transaction():
        if session.connection().get_execution_options().get("read_only"):
            return
        session.commit()  # nothing is pending: a service commits what it changes itself
    session.connection(execution_options={"read_only": True})


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The session dependencies are async on purpose: making a Session does no I/O, and a sync
# dependency costs a worker-thread hop on the way in and another on the way out.
async def get_session(request: Request) -> AsyncIterator[Session]:
    engine: Engine = request.app.state.engine
    maker = read_session if request.method in SAFE_METHODS else write_session
    session = maker(engine)
    try:
        yield session
    finally:
        session.close()


async def get_write_session(request: Request) -> AsyncIterator[Session]:
    """For the few GET routes that write (audit log entries, step timing)."""
    session = write_session(request.app.state.engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]
