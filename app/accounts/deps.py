"""Who is asking: the logged-in user from the server-side session, and role guards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from app import security
from app.accounts import sessions
from app.config import Settings
from app.db import read_session
from app.models import Role, User

SESSION_COOKIE = "session"


class LoginRequired(Exception):
    """Raised by the guards; answered with a redirect to the login page."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class Forbidden(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Account:
    """The signed-in person as routes see them: a stored user, so the id is an int, and the
    session they came with, so that it can be kept or ended."""

    id: int
    name: str
    email: str
    role: str
    session_id: int = 0

    @property
    def is_facilitator(self) -> bool:
        return self.role in (Role.facilitator, Role.admin)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @classmethod
    def of(cls, user: User, session_id: int = 0) -> Account:
        assert user.id is not None, "a signed-in user is stored"
        return cls(
            id=user.id, name=user.name, email=user.email, role=user.role, session_id=session_id
        )


def limits(settings: Settings) -> sessions.Limits:
    return sessions.Limits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def _look_up(
    engine: Engine, token: str, now: datetime, rules: sessions.Limits
) -> Account | sessions.Refusal:
    with read_session(engine) as session:
        found = sessions.look_up(session, token=token, now=now, limits=rules)
    if isinstance(found, sessions.Refusal):
        return found
    return Account.of(found.user, found.session_id)


async def user_from_session(request: Request) -> Account | None:
    """The session's user, read anew on every request (no cache: an ended session is refused
    at once, in every process). Raises LoginRequired(expired) when a limit has passed."""
    known: Account | None = getattr(request.state, "user", None)
    if known is not None:
        return known
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    app = request.app
    # In a worker thread with its own read session, never on the event loop: waiting there
    # for a pooled connection, or for the write lock of the last-seen update, stops the loop.
    found = await to_thread.run_sync(
        _look_up, app.state.engine, token, app.state.clock(), limits(app.state.settings)
    )
    if found is sessions.Refusal.expired:
        raise LoginRequired(expired=True)
    if isinstance(found, sessions.Refusal):
        return None
    request.state.user = found
    return found


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def client_address(request: Request) -> str:
    """The client's address, proxies named in ``trusted_proxies`` seen through (app.security)."""
    return security.client_address(request.scope, tuple(request.app.state.settings.trusted_proxies))


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """The cookie holds the random token only; it lives no longer than the session may."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_absolute_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )


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


Pause = Callable[[float], Awaitable[None]]


async def _pause(request: Request) -> Pause:
    """How a slowed-down login waits: asyncio.sleep, or the tests' own (app.state.sleep)."""
    pause: Pause = getattr(request.app.state, "sleep", asyncio.sleep)
    return pause


PauseDep = Annotated[Pause, Depends(_pause)]
CurrentUser = Annotated[Account, Depends(current_user)]
OptionalUser = Annotated[Account | None, Depends(optional_user)]
LeaderDep = Annotated[Account, Depends(require(Role.leader, Role.facilitator, Role.admin))]
FacilitatorDep = Annotated[Account, Depends(require(Role.facilitator, Role.admin))]
AdminDep = Annotated[Account, Depends(require(Role.admin))]
