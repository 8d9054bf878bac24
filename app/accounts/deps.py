"""Who is asking: the logged-in user from the signed session cookie, and role guards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in person as routes see them: a stored user, so the id is an int, and
    frozen, so a cached copy can be handed to every request."""

    id: int
    name: str
    email: str
    role: str

    @property
    def is_facilitator(self) -> bool:
        return self.role in (Role.facilitator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @classmethod
    def of(cls, user: User) -> Account:
        assert user.id is not None, "a signed-in user is stored"
        return cls(id=user.id, name=user.name, email=user.email, role=user.role)


USER_CACHE_SECONDS = 15
# The idle clock is written back at most this often, not on every request: an unchanged
# session sends no new cookie.
SEEN_RESOLUTION_SECONDS = 30


def _load_account(engine: Engine, uid: int) -> Account | None:
    """The active user's account; None for a missing or deactivated one."""
    with read_session(engine) as session:
        user = session.get(User, uid)
        return Account.of(user) if user is not None and user.is_active else None


async def _cached_account(request: Request, uid: int, now: float) -> Account | None:
    """The user row, from a short per-process cache: a tap should not cost a query for who is
    tapping. A deactivated account is noticed within USER_CACHE_SECONDS."""
    cache: dict[int, tuple[float, Account | None]] = request.app.state.user_cache
    hit = cache.get(uid)
    if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
        return hit[1]
    # A miss reads in a worker thread with its own session, never the request's on the event
    # loop: waiting there for a pooled connection stops the loop, and with it every request.
    user = await to_thread.run_sync(_load_account, request.app.state.engine, uid)
    if len(cache) > 10_000:
        cache.clear()
    cache[uid] = (now, user)
    return user


async def user_from_session(request: Request) -> Account | None:
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
    user = await _cached_account(request, int(uid), now)
    if user is None:
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


async def optional_user(request: Request) -> Account | None:
    try:
        return await user_from_session(request)
    except LoginRequired:
        return None


async def current_user(request: Request) -> Account:
    user = await user_from_session(request)
    if user is None:
        raise LoginRequired()
    return user


def require(*roles: Role) -> Callable[[Account], Awaitable[Account]]:
    allowed = {str(role) for role in roles}

    async def guard(user: Annotated[Account, Depends(current_user)]) -> Account:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return guard


CurrentUser = Annotated[Account, Depends(current_user)]
OptionalUser = Annotated[Account | None, Depends(optional_user)]
LeaderDep = Annotated[Account, Depends(require(Role.leader, Role.facilitator, Role.admin))]
FacilitatorDep = Annotated[Account, Depends(require(Role.facilitator, Role.admin))]
AdminDep = Annotated[Account, Depends(require(Role.admin))]
