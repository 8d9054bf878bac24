"""Whether this process can serve (``GET /readyz``): the database answers, and its schema is
the one this code was written for."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.db import read_session
from app.migrate import head_revision

READY = "ready"
MIGRATING = "migrating"
DATABASE_AWAY = "database unavailable"
SCHEMA_BEHIND = "database not migrated"

_REVISION = text("SELECT version_num FROM alembic_version")
log = logging.getLogger("arbejdsglaede")


_MIGRATING: weakref.WeakSet[Engine] = weakref.WeakSet()


@contextmanager
def migrating(engine: Engine) -> Iterator[None]:
    """While the block runs (the start-up migration), the engine's app is not ready."""
    _MIGRATING.add(engine)
    try:
        yield
    finally:
        _MIGRATING.discard(engine)


def is_migrating(engine: Engine) -> bool:
    return engine in _MIGRATING


def readiness(engine: Engine, *, migrating: bool) -> str:
    """``ready``, or what stands in the way. One short query; never raises."""
    if migrating:
        return MIGRATING
    try:
        # A reading session: on SQLite a plain connection would begin with the write lock.
        with read_session(engine) as session:
            current = session.connection().execute(_REVISION).scalar()
    except SQLAlchemyError as error:
        # The kind only: a driver's message may name the server and the user.
        log.warning("not ready: %s", type(error).__name__)
        # A database without the revision table has never been migrated: it answers.
        return SCHEMA_BEHIND if _answers(engine) else DATABASE_AWAY
    return READY if current == head_revision() else SCHEMA_BEHIND


def _answers(engine: Engine) -> bool:
    try:
        with read_session(engine) as session:
            session.connection().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
