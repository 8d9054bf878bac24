"""Login, logout, the user's own page and the first admin's setup page."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts import service, sessions, two_step
from app.accounts.deps import (
    Account,
    AdminDep,
    CurrentUser,
    OptionalUser,
    PauseDep,
    clear_session_cookie,
    client_address,
    session_token,
    set_session_cookie,
)
from app.config import Settings
from app.db import SessionDep
from app.deps import NowDep, SecretKeysDep, SettingsDep
from app.errors import N_, DomainError
from app.i18n import translate
from app.models import Role, User
from app.observability import metrics
from app.web import path_for, redirect, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login")
def accounts_login_form(
    request: Request,
    user: OptionalUser,
    settings: SettingsDep,
    next: str | None = None,
    expired: bool = False,
) -> Response:
    if user is not None:
        return redirect(request, safe_next(next))
    context = {
        "next": safe_next(next),
        "expired": expired,
        "session_hours": settings.session_absolute_hours,
    }
    return render(request, "accounts/login.html", context)


@router.post("/login")
async def accounts_login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    pause: PauseDep,
    keys: SecretKeysDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    # Async for the wait between counting and checking: asyncio.sleep holds no worker thread
    # and never the event loop; every query and the hash run in worker threads.
    address = client_address(request)
    try:
        attempt = await to_thread.run_sync(
            partial(
                service.begin_login,
                session,
                email=email,
                address=address,
                now=now,
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
            )
        )
        # Failures at this account from elsewhere slow the answer down, for the right
        # password too: a quick "yes" would tell a guesser when to stop waiting.
        await pause(attempt.delay)
        user = await to_thread.run_sync(
            partial(service.finish_login, session, attempt, password=password)
        )
    except DomainError as error:
        metrics.count_login("limited" if error.status_code == 429 else "failed")
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "email": email, "error": error},
            status_code=error.status_code,
        )
    assert user.id is not None
    if await to_thread.run_sync(two_step.is_on, session, user.id):
        # No session yet: the code page carries a signed, short-lived token instead.
        pending = two_step.pending_token(user, key=keys[0], now=now)
        return _code_page(request, pending=pending, next=safe_next(next))
    metrics.count_login("ok")
    return await to_thread.run_sync(
        partial(log_in, request, session, user, now=now, settings=settings, to=safe_next(next))
    )


def _code_page(
    request: Request,
    *,
    pending: str,
    next: str,
    error: DomainError | None = None,
) -> Response:
    return render(
        request,
        "accounts/login_code.html",
        {"pending": pending, "next": next, "error": error},
        status_code=error.status_code if error is not None else 200,
    )


@router.post("/login/code")
async def accounts_login_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    pause: PauseDep,
    keys: SecretKeysDep,
    pending: Annotated[str, Form(max_length=500)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The second step of an admin's login: the code from the authenticator app, or a
    recovery code. A wrong code counts as a failed login."""
    address = client_address(request)
    try:
        user = await to_thread.run_sync(
            partial(two_step.read_pending, session, pending, key=keys[0], now=now)
        )
    except DomainError as error:
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "error": error},
            status_code=error.status_code,
        )
    assert user.id is not None
    try:
        attempt = await to_thread.run_sync(
            partial(
                service.begin_login,
                session,
                email=user.email,
                address=address,
                now=now,
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
            )
        )
        await pause(attempt.delay)
        user = await to_thread.run_sync(
            partial(
                service.finish_second_step,
                session,
                attempt,
                user_id=user.id,
                code=code,
                keys=keys,
                address=address,
            )
        )
    except two_step.PendingGone as error:
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "error": error},
            status_code=error.status_code,
        )
    except DomainError as error:
        metrics.count_login("limited" if error.status_code == 429 else "failed")
        return _code_page(request, pending=pending, next=safe_next(next), error=error)
    metrics.count_login("ok")
    return await to_thread.run_sync(
        partial(log_in, request, session, user, now=now, settings=settings, to=safe_next(next))
    )


def log_in(
    request: Request, session: Session, user: User, *, now: datetime, settings: Settings, to: str
) -> Response:
    """A new session (and token) at every login; the one the browser held before ends. With
    ``require_admin_totp`` an admin without two-step login goes to set it up first, whichever
    way they logged in (the login page, an invitation, a reset link)."""
    assert user.id is not None
    if (
        settings.require_admin_totp
        and user.role == Role.admin
        and not two_step.is_on(session, user.id)
    ):
        to = path_for(request.app, "accounts_two_step")
    token = sessions.start_session(
        session,
        user_id=user.id,
        now=now,
        address=client_address(request),
        replacing=session_token(request),
    )
    response = redirect(request, to)
    set_session_cookie(response, token, settings)
    return response


@router.post("/logout")
def accounts_logout(
    request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    token = session_token(request)
    if token:
        sessions.end_session(session, token=token, now=now)
    response = redirect(request, path_for(request.app, "accounts_login_form"))
    clear_session_cookie(response, settings)
    return response


@router.get("/setup")
def accounts_setup_form(
    request: Request, session: SessionDep, now: NowDep, token: str = ""
) -> Response:
    try:
        service.check_setup_token(session, token=token, now=now)
    except DomainError as error:
        return render(request, "accounts/setup_gone.html", {"error": error}, status_code=410)
    return render(
        request, "accounts/setup.html", {"token": token, "min_length": service.MIN_PASSWORD_LENGTH}
    )


@router.post("/setup")
def accounts_setup(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        user = service.create_first_admin(
            session,
            token=token,
            email=email,
            name=name,
            password=password,
            now=now,
        )
    except DomainError as error:
        if error.status_code == 410:
            return render(request, "accounts/setup_gone.html", {"error": error}, status_code=410)
        return render(
            request,
            "accounts/setup.html",
            {
                "token": token,
                "email": email,
                "name": name,
                "error": error,
                "min_length": service.MIN_PASSWORD_LENGTH,
            },
            status_code=error.status_code,
        )
    return log_in(request, session, user, now=now, settings=settings, to="/")


def _account_page(
    request: Request,
    session: Session,
    user: Account,
    *,
    settings: Settings,
    changed: bool = False,
    error: DomainError | None = None,
    two_step_error: DomainError | None = None,
    two_step_off: bool = False,
) -> Response:
    context = {
        "user": user,
        "role": service.ROLE_NAMES.get(user.role, user.role),  # type: ignore[call-overload]
        "min_length": service.MIN_PASSWORD_LENGTH,
        "changed": changed,
        "error": error,
        "two_step_on": user.is_admin and two_step.is_on(session, user.id),
        "two_step_error": two_step_error,
        "two_step_off": two_step_off,
    }
    error = error or two_step_error
    return render(
        request,
        "accounts/account.html",
        context,
        status_code=error.status_code if error is not None else 200,
    )


@router.get("/account")
def accounts_account(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    changed: bool = False,
    two_step_off: bool = False,
) -> Response:
    return _account_page(
        request, session, user, settings=settings, changed=changed, two_step_off=two_step_off
    )


@router.post("/account/password")
def accounts_change_password(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    now: NowDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        token = service.change_password(
            session,
            user_id=user.id,
            current=current,
            new=new,
            address=client_address(request),
            now=now,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    except DomainError as error:
        return _account_page(request, session, user, settings=settings, error=error)
    response = redirect(request, path_for(request.app, "accounts_account") + "?changed=1")
    set_session_cookie(response, token, settings)
    return response


@router.post("/account/logout-everywhere")
def accounts_logout_everywhere(
    request: Request, session: SessionDep, user: CurrentUser, settings: SettingsDep, now: NowDep
) -> Response:
    """Ends every session of the user, this one too: a lost tablet or phone is logged out."""
    sessions.end_sessions(session, user.id, now=now)
    response = redirect(request, path_for(request.app, "accounts_login_form"))
    clear_session_cookie(response, settings)
    return response


# Two-step login (issue 14): admins only. The set-up page shows the secret as a QR code and in
# text; a code from the app switches it on and shows the ten recovery codes once.
def _two_step_page(
    request: Request,
    session: Session,
    admin: Account,
    keys: tuple[str, ...],
    *,
    codes: list[str] | None = None,
    error: DomainError | None = None,
) -> Response:
    setup = two_step.pending_setup(session, user_id=admin.id, keys=keys)
    context = {
        "on": two_step.is_on(session, admin.id),
        "setup": setup,
        "qr_svg": two_step.qr_svg(setup.uri, translate(request.state.lang, QR_TITLE))
        if setup
        else None,
        "codes": codes,
        "left": two_step.recovery_codes_left(session, admin.id),
        "error": error,
    }
    return render(
        request,
        "accounts/two_step.html",
        context,
        status_code=error.status_code if error is not None else 200,
    )


QR_TITLE = N_("QR code for your authenticator app")


@router.get("/account/two-step")
def accounts_two_step(
    request: Request, session: SessionDep, admin: AdminDep, keys: SecretKeysDep
) -> Response:
    return _two_step_page(request, session, admin, keys)


@router.post("/account/two-step/start")
def accounts_two_step_start(
    request: Request, session: SessionDep, admin: AdminDep, keys: SecretKeysDep, now: NowDep
) -> Response:
    try:
        two_step.start_setup(session, user_id=admin.id, key=keys[0], now=now)
    except DomainError as error:
        return _two_step_page(request, session, admin, keys, error=error)
    return redirect(request, path_for(request.app, "accounts_two_step"))


@router.post("/account/two-step/confirm")
def accounts_two_step_confirm(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    keys: SecretKeysDep,
    now: NowDep,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        codes = two_step.confirm_setup(
            session,
            user_id=admin.id,
            code=code,
            keys=keys,
            now=now,
            address=client_address(request),
        )
    except DomainError as error:
        return _two_step_page(request, session, admin, keys, error=error)
    return _two_step_page(request, session, admin, keys, codes=codes)


@router.post("/account/two-step/off")
def accounts_two_step_off(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    keys: SecretKeysDep,
    settings: SettingsDep,
    now: NowDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        service.turn_off_two_step(
            session,
            user_id=admin.id,
            password=password,
            code=code,
            keys=keys,
            address=client_address(request),
            now=now,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    except DomainError as error:
        return _account_page(request, session, admin, settings=settings, two_step_error=error)
    return redirect(request, path_for(request.app, "accounts_account") + "?two_step_off=1")
