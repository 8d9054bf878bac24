"""Sessions on the server (DESIGN §6): the cookie holds a random token, the table its hash.

A request's session and user are read in one query, with no per-process cache, so logout,
"log out everywhere", a password change and an admin's deactivation end a session at once in
every process."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, col, select

from app.clock import utcnow
from app.db import rows_changed, write_transaction, writes
from app.models import LoginSession, User

# 32 random bytes: guessing one of a million live tokens still takes 2^236 tries.
TOKEN_BYTES = 32
# The idle clock is written back at most this often, each time in its own short write
# transaction: a tap, the hottest request there is, mostly reads only (DESIGN §8).
SEEN_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Refusal(StrEnum):
    """Why a cookie opened nothing."""

    unknown = "unknown"  # no such session, ended, or its user deactivated
    expired = "expired"  # idle or absolute limit passed: the login page says so


@dataclass(frozen=True, slots=True)
class Found:
    """A live session and its active user."""

    session_id: int
    user: User


@dataclass(frozen=True, slots=True)
class Limits:
    idle: timedelta
    absolute: timedelta


# Every request with a cookie runs these: built once, as building them took about 0.3 ms a
# request, nearly half of the lookup.
_SESSION_AND_USER = (
    select(LoginSession, User)
    .join(User, col(User.id) == LoginSession.user_id)
    .where(col(LoginSession.token_hash) == bindparam("token_hash"))
)
_SEEN = (
    update(LoginSession)
    .where(col(LoginSession.id) == bindparam("session_id"), col(LoginSession.ended_at).is_(None))
    .values(last_seen_at=bindparam("now"))
)


def look_up(session: Session, *, token: str, now: datetime, limits: Limits) -> Found | Refusal:
    """The session's user when the session may go on; otherwise why not. One query for the
    session and its user; a write only when last_seen_at is a minute old or more."""
    row = session.exec(_SESSION_AND_USER, params={"token_hash": hash_token(token)}).first()
    if row is None:
        return Refusal.unknown
    login, user = row
    if login.ended_at is not None or not user.is_active:
        return Refusal.unknown
    if now - login.last_seen_at > limits.idle or now - login.created_at > limits.absolute:
        return Refusal.expired
    assert login.id is not None
    if now - login.last_seen_at >= SEEN_RESOLUTION:
        with write_transaction(session):
            # Guarded by ended_at: a logout that raced this request stays ended.
            session.execute(_SEEN, {"session_id": login.id, "now": now})
    return Found(session_id=login.id, user=user)


@writes
def start_session(
    session: Session, *, user_id: int, now: datetime, address: str, replacing: str | None = None
) -> str:
    """A new session and its token, for the cookie; a new one at every login, so that a
    token planted before login (session fixation) never becomes a logged-in one. The
    session the browser held before, if any, ends."""
    if replacing:
        _end_by_token(session, token=replacing, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        LoginSession(
            token_hash=hash_token(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
        )
    )
    return token


@writes
def end_session(session: Session, *, token: str, now: datetime) -> None:
    """Logout: the session ends on the server, so a copy of its cookie opens nothing."""
    _end_by_token(session, token=token, now=now)


def _end_by_token(session: Session, *, token: str, now: datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(
            col(LoginSession.token_hash) == hash_token(token),
            col(LoginSession.ended_at).is_(None),
        )
        .values(ended_at=now)
    )


@writes
def end_sessions(
    session: Session, user_id: int, *, keep: int | None = None, now: datetime | None = None
) -> int:
    """Ends every live session of the user but ``keep`` (a session id), at once and in every
    process: for "log out everywhere", a password change, a deactivation or a change of role.
    Joins the caller's write transaction when there is one. Returns how many ended."""
    statement = update(LoginSession).where(
        col(LoginSession.user_id) == user_id, col(LoginSession.ended_at).is_(None)
    )
    if keep is not None:
        statement = statement.where(col(LoginSession.id) != keep)
    result = session.execute(statement.values(ended_at=now or utcnow()))
    return rows_changed(result)


@writes
def purge_sessions(session: Session, *, now: datetime, limits: Limits) -> int:
    """Deletes the rows of sessions that can never be used again: ended, or past their
    absolute lifetime. For ``arbejdsglaede purge``: a session row names who was logged in from
    which address, which is kept no longer than it serves. Returns how many went."""
    result = session.execute(
        delete(LoginSession).where(
            col(LoginSession.ended_at).is_not(None)
            | (col(LoginSession.created_at) < now - limits.absolute)
        )
    )
    return rows_changed(result)
