"""Login, logout and the first admin's setup page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service
from app.accounts.deps import OptionalUser, log_in, log_out
from app.db import SessionDep
from app.errors import DomainError
from app.web import render

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
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": safe_next(next), "expired": expired})


@router.post("/login")
def accounts_login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    settings = request.app.state.settings
    try:
        user = service.authenticate(
            session,
            email=email,
            password=password,
            address=request.client.host if request.client else "unknown",
            now=request.app.state.clock(),
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
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def accounts_logout(request: Request) -> Response:
    log_out(request)
    return RedirectResponse(request.url_for("accounts_login_form"), status_code=303)


@router.get("/setup")
def accounts_setup_form(request: Request, session: SessionDep, token: str = "") -> Response:
    try:
        service.check_setup_token(session, token=token, now=request.app.state.clock())
    except DomainError as error:
        return render(request, "accounts/setup_gone.html", {"error": error}, status_code=410)
    return render(request, "accounts/setup.html", {"token": token})


@router.post("/setup")
def accounts_setup(
    request: Request,
    session: SessionDep,
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
            now=request.app.state.clock(),
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
    return RedirectResponse("/", status_code=303)
