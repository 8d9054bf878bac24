"""Accounts in the browser (DESIGN §7): /admin/users and /admin/handover for admins, and the
one-time links /invite/… and /reset/… with "Forgot password?" for anyone who holds one.

Plain ``def`` routes: the password hash and the mail server block, so FastAPI runs them in a
worker thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import AdminDep, client_address
from app.accounts.routes import log_in
from app.accounts.service import MIN_PASSWORD_LENGTH
from app.admin import mailer, service, views
from app.config import Settings
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.errors import DomainError, NotFound
from app.models import Role, TokenPurpose
from app.web import path_for, redirect, render

router = APIRouter()
# Pages that show a one-time link or an account's state: never kept by a browser or proxy.
PRIVATE = {"Cache-Control": "no-store"}


def _users_page(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "users": views.user_rows(session, me=admin.id),
        "roles": views.ROLE_LABELS,
        "invite": {},
        **(extra or {}),
    }
    return render(request, "admin/users.html", context, status_code=status_code, headers=PRIVATE)


def _shown_link(
    request: Request,
    settings: Settings,
    made: service.Invitation,
    *,
    invite: bool,
    now: datetime,
    valid_for: timedelta,
) -> dict[str, Any]:
    """The link to copy, e-mailed too when SMTP is configured."""
    route = "admin_invite_form" if invite else "admin_reset_form"
    url = mailer.absolute(settings, path_for(request.app, route, token=made.token))
    until = now + valid_for
    sent = mailer.send_link(
        settings, invite=invite, to=made.user.email, name=made.user.name, url=url, until=until
    )
    return {
        "url": url,
        "until": until,
        "name": made.user.name,
        "email": made.user.email,
        "invite": invite,
        "sent": sent,
        "mail_failed": settings.email_enabled and not sent,
    }


@router.get("/admin/users")
def admin_users(
    request: Request, session: SessionDep, admin: AdminDep, invite: bool = False
) -> Response:
    return _users_page(request, session, admin, {"show_invite": invite})


@router.post("/admin/users")
def admin_invite(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=1000)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=20)] = Role.leader,
) -> Response:
    valid_for = timedelta(days=settings.invite_days)
    try:
        made = service.invite_user(
            session,
            admin_id=admin.id,
            email=email,
            name=name,
            role=role,
            now=now,
            valid_for=valid_for,
            address=client_address(request),
        )
    except DomainError as error:
        return _users_page(
            request,
            session,
            admin,
            {
                "show_invite": True,
                "invite": {"email": email, "name": name, "role": role},
                "invite_error": error,
            },
            status_code=error.status_code,
        )
    link = _shown_link(request, settings, made, invite=True, now=now, valid_for=valid_for)
    return _users_page(request, session, admin, {"link": link})


@router.post("/admin/users/{user_id}/role")
def admin_change_role(
    user_id: int,
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    now: NowDep,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        service.change_role(
            session,
            admin_id=admin.id,
            user_id=user_id,
            role=role,
            now=now,
            address=client_address(request),
        )
    except DomainError as error:
        return _users_page(
            request,
            session,
            admin,
            {"row_error": (user_id, error)},
            status_code=error.status_code,
        )
    return redirect(request, path_for(request.app, "admin_users"))


def _set_active(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    now: datetime,
    user_id: int,
    active: bool,
) -> Response:
    try:
        service.set_active(
            session,
            admin_id=admin.id,
            user_id=user_id,
            active=active,
            now=now,
            address=client_address(request),
        )
    except DomainError as error:
        return _users_page(
            request,
            session,
            admin,
            {"row_error": (user_id, error)},
            status_code=error.status_code,
        )
    return redirect(request, path_for(request.app, "admin_users"))


@router.post("/admin/users/{user_id}/deactivate")
def admin_deactivate(
    user_id: int, request: Request, session: SessionDep, admin: AdminDep, now: NowDep
) -> Response:
    return _set_active(request, session, admin, now, user_id, active=False)


@router.post("/admin/users/{user_id}/reactivate")
def admin_reactivate(
    user_id: int, request: Request, session: SessionDep, admin: AdminDep, now: NowDep
) -> Response:
    return _set_active(request, session, admin, now, user_id, active=True)


@router.post("/admin/users/{user_id}/reset-link")
def admin_reset_link(
    user_id: int,
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    invite_for = timedelta(days=settings.invite_days)
    reset_for = timedelta(hours=settings.reset_link_hours)
    try:
        made = service.make_reset_link(
            session,
            admin_id=admin.id,
            user_id=user_id,
            now=now,
            invite_valid_for=invite_for,
            reset_valid_for=reset_for,
            address=client_address(request),
        )
    except DomainError as error:
        return _users_page(
            request,
            session,
            admin,
            {"row_error": (user_id, error)},
            status_code=error.status_code,
        )
    invite = made.user.is_invited
    link = _shown_link(
        request,
        settings,
        made,
        invite=invite,
        now=now,
        valid_for=invite_for if invite else reset_for,
    )
    return _users_page(request, session, admin, {"link": link})


@router.post("/admin/users/{user_id}/two-step/reset")
def admin_reset_two_step(
    user_id: int, request: Request, session: SessionDep, admin: AdminDep, now: NowDep
) -> Response:
    try:
        service.reset_two_step(
            session, admin_id=admin.id, user_id=user_id, now=now, address=client_address(request)
        )
    except DomainError as error:
        return _users_page(
            request,
            session,
            admin,
            {"row_error": (user_id, error)},
            status_code=error.status_code,
        )
    return redirect(request, path_for(request.app, "admin_users"))


@router.get("/admin/handover")
def admin_handover_form(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    leader: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Response:
    view = views.handover_view(session, from_leader_id=leader)
    return render(request, "admin/handover.html", {"view": view}, headers=PRIVATE)


@router.post("/admin/handover")
def admin_handover(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    now: NowDep,
    from_leader: Annotated[int, Form(ge=1, le=2**63 - 1)],
    to_leader: Annotated[int, Form(ge=0, le=2**63 - 1)] = 0,
    scope: Annotated[str, Form(max_length=10)] = "chosen",
    employee: Annotated[list[int] | None, Form()] = None,
) -> Response:
    try:
        moved = service.hand_over(
            session,
            admin_id=admin.id,
            from_leader_id=from_leader,
            to_leader_id=to_leader,
            employee_ids=None if scope == "all" else (employee or []),
            now=now,
            address=client_address(request),
        )
    except DomainError as error:
        view = views.handover_view(session, from_leader_id=from_leader)
        return render(
            request,
            "admin/handover.html",
            {"view": view, "error": error},
            status_code=error.status_code,
            headers=PRIVATE,
        )
    view = views.handover_view(session, from_leader_id=None)
    return render(
        request, "admin/handover.html", {"view": view, "moved": len(moved)}, headers=PRIVATE
    )


def _link_page(request: Request, purpose: TokenPurpose, token: str, **context: Any) -> Response:
    route = "admin_invite_form" if purpose == TokenPurpose.invite else "admin_reset_form"
    return render(
        request,
        "admin/set_password.html",
        {
            "action": path_for(request.app, route, token=token),
            "purpose": str(purpose),
            "min_length": MIN_PASSWORD_LENGTH,
            **context,
        },
        status_code=context["error"].status_code if "error" in context else 200,
        headers=PRIVATE,
    )


def _link_gone(request: Request, error: DomainError) -> Response:
    return render(
        request, "admin/link_gone.html", {"error": error}, status_code=410, headers=PRIVATE
    )


def _link_form(
    request: Request, session: SessionDep, now: datetime, token: str, purpose: TokenPurpose
) -> Response:
    try:
        user = service.check_link(session, token=token, purpose=purpose, now=now)
    except DomainError as error:
        return _link_gone(request, error)
    return _link_page(request, purpose, token, name=user.name, email=user.email)


def _link_use(
    request: Request,
    session: SessionDep,
    now: datetime,
    token: str,
    purpose: TokenPurpose,
    password: str,
) -> Response:
    try:
        user = service.set_password_by_link(
            session,
            token=token,
            purpose=purpose,
            password=password,
            now=now,
            address=client_address(request),
        )
    except service.LinkGone as error:
        return _link_gone(request, error)
    except DomainError as error:
        try:
            user = service.check_link(session, token=token, purpose=purpose, now=now)
        except DomainError as gone:
            return _link_gone(request, gone)
        return _link_page(request, purpose, token, name=user.name, email=user.email, error=error)
    return log_in(request, session, user, now=now, settings=request.app.state.settings, to="/")


@router.get("/invite/{token}")
def admin_invite_form(token: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    return _link_form(request, session, now, token, TokenPurpose.invite)


@router.post("/invite/{token}")
def admin_invite_accept(
    token: str,
    request: Request,
    session: SessionDep,
    now: NowDep,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    return _link_use(request, session, now, token, TokenPurpose.invite, password)


@router.get("/reset/{token}")
def admin_reset_form(token: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    return _link_form(request, session, now, token, TokenPurpose.reset)


@router.post("/reset/{token}")
def admin_reset_use(
    token: str,
    request: Request,
    session: SessionDep,
    now: NowDep,
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    return _link_use(request, session, now, token, TokenPurpose.reset, password)


def _forgot_enabled(settings: Settings) -> None:
    # Without SMTP there is no way to send the link: the page does not exist.
    if not settings.email_enabled:
        raise NotFound()


@router.get("/forgot-password")
def admin_forgot_form(request: Request, settings: SettingsDep) -> Response:
    _forgot_enabled(settings)
    return render(request, "admin/forgot.html", {}, headers=PRIVATE)


@router.post("/forgot-password")
def admin_forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The same answer whether the address has an account or not: the page must not tell a
    stranger who has one. The e-mail goes after the answer, so its time tells nothing."""
    _forgot_enabled(settings)
    valid_for = timedelta(hours=settings.reset_link_hours)
    made = service.request_reset(
        session,
        email=email,
        now=now,
        valid_for=valid_for,
        address=client_address(request),
        limits=service.ResetLimits(
            per_address=settings.forgot_password_per_address,
            per_account=settings.forgot_password_per_account,
        ),
    )
    if made is not None:
        url = mailer.absolute(settings, path_for(request.app, "admin_reset_form", token=made.token))
        background.add_task(
            mailer.send_link,
            settings,
            invite=False,
            to=made.user.email,
            name=made.user.name,
            url=url,
            until=now + valid_for,
        )
    return render(request, "admin/forgot.html", {"asked": True}, headers=PRIVATE)
