"""Who is asking: the logged-in user from the signed session cookie, and role guards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import SessionDep
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


def _cached_user(request: Request, session: Session, uid: int, now: float) -> User | None:
    """The user row, from a short per-process cache: a tap should not cost a query for who is
    tapping. A deactivated account is noticed within USER_CACHE_SECONDS."""
    cache: dict[int, tuple[float, User | None]] = request.app.state.user_cache
    hit = cache.get(uid)
    if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
        return hit[1]
    user = session.get(User, uid)
    if user is not None:
        session.expunge(user)
    if len(cache) > 10_000:
        cache.clear()
    cache[uid] = (now, user)
    return user


def user_from_session(request: Request, session: Session) -> User | None:
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
    user = _cached_user(request, session, int(uid), now)
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


async def optional_user(request: Request, session: SessionDep) -> User | None:
    try:
        return user_from_session(request, session)
    except LoginRequired:
        return None


async def current_user(request: Request, session: SessionDep) -> User:
    user = user_from_session(request, session)
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
