"""The rules of a server-side session (DESIGN §6): idle and absolute limits, ended sessions,
deactivated users, and a last-seen time written at most once a minute."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.accounts import sessions
from app.accounts.sessions import Found, Limits, Refusal
from app.db import read_session, write_session
from app.models import LoginSession, User
from tests.support import FakeClock

LIMITS = Limits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))


def a_user(session: Session, email: str = "leder@example.org") -> int:
    user = User(email=email, name="Leder", role="leader", password_hash="not a real hash")
    session.add(user)
    session.commit()
    assert user.id is not None
    return user.id


def look_up(engine: Engine, token: str, clock: FakeClock) -> Found | Refusal:
    # A request's read session: the last-seen write must take its own write transaction.
    with read_session(engine) as session:
        return sessions.look_up(session, token=token, now=clock(), limits=LIMITS)


def row(engine: Engine, token: str) -> LoginSession:
    with write_session(engine) as session:
        hashed = sessions.hash_token(token)
        return session.exec(select(LoginSession).where(LoginSession.token_hash == hashed)).one()


def started(session: Session, clock: FakeClock, user_id: int) -> str:
    return sessions.start_session(session, user_id=user_id, now=clock(), address="10.0.0.1")


def test_a_fresh_session_finds_its_user_and_stores_only_a_hash(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    uid = a_user(session)
    token = started(session, clock, uid)
    assert len(token) >= 43  # 32 random bytes in URL-safe base64
    found = look_up(engine, token, clock)
    assert isinstance(found, Found) and found.user.id == uid
    stored = row(engine, token)
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.address == "10.0.0.1"


def test_an_unknown_token_finds_nobody(engine: Engine, session: Session, clock: FakeClock) -> None:
    a_user(session)
    assert look_up(engine, "made-up", clock) is Refusal.unknown


def test_an_idle_session_expires_and_use_keeps_it_alive(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    token = started(session, clock, a_user(session))
    clock.advance(minutes=50)
    assert isinstance(look_up(engine, token, clock), Found)  # seen: the idle clock restarts
    clock.advance(minutes=50)
    assert isinstance(look_up(engine, token, clock), Found)
    clock.advance(minutes=61)
    assert look_up(engine, token, clock) is Refusal.expired


def test_a_busy_session_ends_at_its_absolute_lifetime(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    token = started(session, clock, a_user(session))
    for _ in range(23):
        clock.advance(minutes=30)
        assert isinstance(look_up(engine, token, clock), Found)
    clock.advance(minutes=31)  # 12 h 1 min after login, last seen 31 minutes ago
    assert look_up(engine, token, clock) is Refusal.expired


def test_an_ended_session_is_refused(engine: Engine, session: Session, clock: FakeClock) -> None:
    token = started(session, clock, a_user(session))
    sessions.end_session(session, token=token, now=clock())
    assert look_up(engine, token, clock) is Refusal.unknown


def test_a_deactivated_user_is_refused_at_once(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    uid = a_user(session)
    token = started(session, clock, uid)
    user = session.get(User, uid)
    assert user is not None
    user.is_active = False
    session.add(user)
    session.commit()
    assert look_up(engine, token, clock) is Refusal.unknown


def test_end_sessions_ends_all_of_one_user_but_the_one_kept(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    uid = a_user(session)
    other = a_user(session, "other@example.org")
    first, second, third = (started(session, clock, uid) for _ in range(3))
    theirs = started(session, clock, other)
    kept = row(engine, second).id
    assert sessions.end_sessions(session, uid, keep=kept, now=clock()) == 2
    assert look_up(engine, first, clock) is Refusal.unknown
    assert look_up(engine, third, clock) is Refusal.unknown
    assert isinstance(look_up(engine, second, clock), Found)
    assert isinstance(look_up(engine, theirs, clock), Found)
    assert sessions.end_sessions(session, uid, now=clock()) == 1
    assert look_up(engine, second, clock) is Refusal.unknown


def test_last_seen_is_written_at_most_once_a_minute(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    token = started(session, clock, a_user(session))
    login = clock()
    clock.advance(seconds=59)
    look_up(engine, token, clock)
    assert row(engine, token).last_seen_at == login
    clock.advance(seconds=1)
    look_up(engine, token, clock)
    assert row(engine, token).last_seen_at == clock()


def test_a_new_login_replaces_the_session_the_browser_held(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    uid = a_user(session)
    before = started(session, clock, uid)
    after = sessions.start_session(
        session, user_id=uid, now=clock(), address="10.0.0.1", replacing=before
    )
    assert after != before
    assert look_up(engine, before, clock) is Refusal.unknown
    assert isinstance(look_up(engine, after, clock), Found)


def test_purge_deletes_only_sessions_that_can_never_be_used_again(
    engine: Engine, session: Session, clock: FakeClock
) -> None:
    uid = a_user(session)
    ended = started(session, clock, uid)
    sessions.end_session(session, token=ended, now=clock())
    old = started(session, clock, uid)
    clock.advance(hours=11)
    live = started(session, clock, uid)
    clock.advance(hours=1, seconds=1)
    assert sessions.purge_sessions(session, now=clock(), limits=LIMITS) == 2
    with write_session(engine) as fresh:
        left = [row.token_hash for row in fresh.exec(select(LoginSession))]
    assert left == [sessions.hash_token(live)]
    assert old != live
