"""Login, logout and the first admin's setup page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.deps import OptionalUser, log_in, log_out
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.errors import DomainError
from app.web import path_for, redirect, render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login")
def accounts_login_form(
    request: Request, user: OptionalUser, next: str | None = None, expired: bool = False
) -> Response:
    if user is not None:
        return redirect(request, safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next), "expired": expired})


@router.post("/login")
def accounts_login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        user = service.authenticate(
            session,
            email=email,
            password=password,
            address=request.client.host if request.client else "unknown",
            now=now,
            max_failures=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    except DomainError as error:
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "email": email, "error": error},
            status_code=error.status_code,
        )
    log_in(request, user)
    return redirect(request, safe_next(next))


@router.post("/logout")
def accounts_logout(request: Request) -> Response:
    log_out(request)
    return redirect(request, path_for(request.app, "accounts_login_form"))


@router.get("/setup")
def accounts_setup_form(
    request: Request, session: SessionDep, now: NowDep, token: str = ""
) -> Response:
    try:
        service.check_setup_token(session, token=token, now=now)
    except DomainError as error:
        return render(request, "accounts/setup_gone.html", {"error": error}, status_code=410)
    return render(request, "accounts/setup.html", {"token": token})


@router.post("/setup")
def accounts_setup(
    request: Request,
    session: SessionDep,
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
            {"token": token, "email": email, "name": name, "error": error},
            status_code=error.status_code,
        )
    log_in(request, user)
    return redirect(request, "/")
