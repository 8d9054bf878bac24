"""Who is asking: the logged-in user from the signed session cookie, and role guards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine

from app.db import read_session
from app.models import Role, User

SESSION_USER = "uid"
SESSION_SEEN = "seen"


class LoginRequired(Exception):
    """Raised by the guards; answered with a redirect to the login page."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class Forbidden(Exception):
    pass


USER_CACHE_SECONDS = 15
# The idle clock is written back at most this often, not on every request: an unchanged
# session sends no new cookie.
SEEN_RESOLUTION_SECONDS = 30


def _load_user(engine: Engine, uid: int) -> User | None:
    with read_session(engine) as session:
        user = session.get(User, uid)
        if user is not None:
            session.expunge(user)
        return user


async def _cached_user(request: Request, uid: int, now: float) -> User | None:
    """The user row, from a short per-process cache: a tap should not cost a query for who is
    tapping. A deactivated account is noticed within USER_CACHE_SECONDS."""
    cache: dict[int, tuple[float, User | None]] = request.app.state.user_cache
    hit = cache.get(uid)
    if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
        return hit[1]
    # A miss reads in a worker thread with its own read session, never the request's on the
    # event loop: a POST's session begins with BEGIN IMMEDIATE, and waiting there for SQLite's
    # write lock (or for a pooled connection) stops the loop, and with it the request holding
    # the lock, until the busy timeout ends it with "database is locked".
    user = await to_thread.run_sync(_load_user, request.app.state.engine, uid)
    if len(cache) > 10_000:
        cache.clear()
    cache[uid] = (now, user)
    return user


async def user_from_session(request: Request) -> User | None:
    data = request.session
    uid = data.get(SESSION_USER)
    if uid is None:
        return None
    now = request.app.state.clock().timestamp()
    idle = request.app.state.settings.session_idle_minutes * 60
    seen = float(data.get(SESSION_SEEN, 0))
    if now - seen > idle:
        data.clear()
        raise LoginRequired(expired=True)
    user = await _cached_user(request, int(uid), now)
    if user is None or not user.is_active:
        data.clear()
        return None
    if now - seen >= SEEN_RESOLUTION_SECONDS:
        data[SESSION_SEEN] = int(now)
    request.state.user = user
    return user


def log_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_SEEN] = int(request.app.state.clock().timestamp())


def log_out(request: Request) -> None:
    request.session.clear()


async def optional_user(request: Request) -> User | None:
    try:
        return await user_from_session(request)
    except LoginRequired:
        return None


async def current_user(request: Request) -> User:
    user = await user_from_session(request)
    if user is None:
        raise LoginRequired()
    return user


def require(*roles: Role) -> Callable[[User], Awaitable[User]]:
    allowed = {str(role) for role in roles}

    async def guard(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return guard


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
LeaderDep = Annotated[User, Depends(require(Role.leader, Role.facilitator, Role.admin))]
FacilitatorDep = Annotated[User, Depends(require(Role.facilitator, Role.admin))]
AdminDep = Annotated[User, Depends(require(Role.admin))]
