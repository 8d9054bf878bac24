"""The employee's preparation link over HTTP (issue 15): the leader's panel that makes, shows
and revokes it, and the employee's page under ``/p/<token>``, which needs no login.

The employee's forms post back to the page and are answered with it (post, redirect, get),
or with the page and the refusal beside its field. An unknown, expired or revoked link, or a
topic or note of another conversation, gets the one "link does not work" page: nobody learns
which case it was. Plain ``def`` routes: FastAPI runs them in its worker threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import LeaderDep
from app.config import Settings
from app.conversations import topics
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.errors import N_, DomainError, NotFound
from app.i18n import translate
from app.models import Conversation, PreparationLink
from app.models.preparation import MAX_PREPARATION_NOTE, MAX_TOPIC
from app.records import preparation
from app.records.labels import moment_text
from app.web import absolute_url, path_for, render

router = APIRouter()
# The employee's words: never kept by a browser or proxy cache, never indexed.
PRIVATE = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
}

GONE_TITLE = N_("This preparation link does not work.")
GONE_HELP = N_(
    "A preparation link works until the day of the conversation and can be withdrawn. Ask "
    "your leader for a new link if you still need it."
)


def _url(request: Request) -> Callable[[str], str]:
    return lambda token: absolute_url(request, "preparation_page", token=token)


def _keys(settings: Settings) -> tuple[str, ...]:
    return settings.secret_keys()


# ---------------------------------------------------------------- the leader's panel


def _panel(
    request: Request,
    session: Session,
    leader_id: int,
    conversation_id: int,
    settings: Settings,
    now: datetime,
    *,
    error: DomainError | None = None,
) -> Response:
    lang = str(request.state.lang)
    view = preparation.link_view(
        session,
        leader_id=leader_id,
        conversation_id=conversation_id,
        now=now,
        keys=_keys(settings),
        url_for_token=_url(request),
        qr_title=translate(lang, N_("QR code for the employee's preparation page")),
    )
    context = {
        "p": view,
        "until": moment_text(lang, view.expires_at) if view.expires_at else "",
        "link_error": error,
    }
    return render(
        request,
        "records/preparation_link.html",
        context,
        status_code=error.status_code if error else 200,
        headers=PRIVATE,
    )


def _to_panel(request: Request, conversation_id: int) -> Response:
    url = path_for(request.app, "preparation_link", conversation_id=conversation_id)
    return RedirectResponse(url, status_code=303)


@router.get("/conversations/{conversation_id}/preparation")
def preparation_link(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _panel(request, session, leader.id, conversation_id, settings, now)


@router.post("/conversations/{conversation_id}/preparation")
def preparation_link_show(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """``Preparation link`` on the Start step: the live link, or a new one."""
    return _make_link(
        preparation.ensure_link, request, session, leader.id, conversation_id, settings, now
    )


@router.post("/conversations/{conversation_id}/preparation/new")
def preparation_link_new(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """A new link in place of the live one, which stops working."""
    return _make_link(
        preparation.create_link, request, session, leader.id, conversation_id, settings, now
    )


def _make_link(
    make: Callable[..., object],
    request: Request,
    session: Session,
    leader_id: int,
    conversation_id: int,
    settings: Settings,
    now: datetime,
) -> Response:
    """The two ways to a link (the live one or a new one) answer alike: the panel, or the
    refusal beside it."""
    try:
        make(
            session,
            leader_id=leader_id,
            conversation_id=conversation_id,
            now=now,
            keys=_keys(settings),
        )
    except DomainError as problem:
        return _panel(request, session, leader_id, conversation_id, settings, now, error=problem)
    return _to_panel(request, conversation_id)


@router.post("/conversations/{conversation_id}/preparation/revoke")
def preparation_link_revoke(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    preparation.revoke_link(session, leader_id=leader.id, conversation_id=conversation_id, now=now)
    return _to_panel(request, conversation_id)


# ---------------------------------------------------------------- the employee's page


def _gone(request: Request) -> Response:
    # Both languages at once: the phone that opens the link may speak either. One answer
    # for unknown, expired and revoked links.
    messages = [
        {"lang": lang, "title": translate(lang, GONE_TITLE), "help": translate(lang, GONE_HELP)}
        for lang in ("da", "en")
    ]
    return render(
        request,
        "records/share_gone.html",
        {"messages": messages, "status": 404},
        status_code=404,
        headers=PRIVATE,
    )


def _page(
    request: Request,
    session: Session,
    token: str,
    link: PreparationLink,
    conversation: Conversation,
    *,
    errors: dict[str, Any] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    lang = str(request.state.lang)
    view = preparation.page(session, link, conversation, lang)
    context = {
        "token": token,
        "v": view,
        "until": moment_text(lang, view.until),
        "errors": errors or {},
        "typed": typed or {},
    }
    status = next((e.status_code for e in (errors or {}).values()), 200)
    return render(request, "records/preparation.html", context, status_code=status, headers=PRIVATE)


def _back(request: Request, token: str) -> Response:
    url = path_for(request.app, "preparation_page", token=token)
    return RedirectResponse(url, status_code=303, headers=PRIVATE)


@router.get("/p/{token}")
def preparation_page(token: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    try:
        link, conversation = preparation.visit(session, token=token, now=now)
    except preparation.PreparationGone:
        return _gone(request)
    return _page(request, session, token, link, conversation)


def _employee_change(
    request: Request,
    session: Session,
    token: str,
    now: datetime,
    change: Callable[[Conversation], object],
    *,
    field: str,
    typed: str = "",
) -> Response:
    try:
        link, conversation = preparation.find(session, token, now)
    except preparation.PreparationGone:
        return _gone(request)
    try:
        change(conversation)
    except NotFound:
        return _gone(request)
    except DomainError as problem:
        return _page(
            request,
            session,
            token,
            link,
            conversation,
            errors={field: problem},
            typed={field: typed},
        )
    return _back(request, token)


@router.post("/p/{token}/topics")
def preparation_topic_add(
    token: str,
    request: Request,
    session: SessionDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=MAX_TOPIC * 4)] = "",
) -> Response:
    return _employee_change(
        request,
        session,
        token,
        now,
        lambda c: topics.add_employee_topic(session, conversation=c, text=text, now=now),
        field="topic",
        typed=text,
    )


@router.post("/p/{token}/topics/{topic_id}/delete")
def preparation_topic_delete(
    token: str, topic_id: int, request: Request, session: SessionDep, now: NowDep
) -> Response:
    return _employee_change(
        request,
        session,
        token,
        now,
        lambda c: topics.delete_employee_topic(session, conversation=c, topic_id=topic_id),
        field="topics",
    )


@router.post("/p/{token}/notes")
def preparation_note_add(
    token: str,
    request: Request,
    session: SessionDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=MAX_PREPARATION_NOTE * 4)] = "",
) -> Response:
    return _employee_change(
        request,
        session,
        token,
        now,
        lambda c: preparation.add_note(session, conversation=c, text=text, now=now),
        field="note",
        typed=text,
    )


@router.post("/p/{token}/notes/{note_id}/bring")
def preparation_note_bring(
    token: str, note_id: int, request: Request, session: SessionDep, now: NowDep
) -> Response:
    return _employee_change(
        request,
        session,
        token,
        now,
        lambda c: preparation.bring_note(session, conversation=c, note_id=note_id, now=now),
        field="notes",
    )


@router.post("/p/{token}/notes/{note_id}/delete")
def preparation_note_delete(
    token: str, note_id: int, request: Request, session: SessionDep, now: NowDep
) -> Response:
    return _employee_change(
        request,
        session,
        token,
        now,
        lambda c: preparation.delete_note(session, conversation=c, note_id=note_id),
        field="notes",
    )
