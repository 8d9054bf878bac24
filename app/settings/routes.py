"""The organisation's conversation settings over HTTP (facilitators and admins): thin, the
rules are in service.py. Every change is a plain form post answered with the page again
(post, redirect, get); a refused change shows the page with its message beside the form
that caused it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import FacilitatorDep
from app.db import SessionDep
from app.deps import NowDep
from app.errors import DomainError
from app.settings import service, views
from app.web import path_for, redirect, render

router = APIRouter()
TEMPLATE = "settings/page.html"
TEXT = 20_000  # a form field's cap in characters; the service holds the real limits


def _page(request: Request, anchor: str = "") -> str:
    return path_for(request.app, "settings_page") + (f"#{anchor}" if anchor else "")


def _after_move(request: Request, row_key: str, *, up: bool) -> Response:
    """The page again, naming the arrow just pressed ("area-3-up"): that arrow gets the page's
    autofocus, which brings it into view and keeps the keyboard's focus on it. No #anchor: a
    browser skips autofocus when the URL names a target."""
    moved = f"{row_key}-{'up' if up else 'down'}"
    query = urlencode({"moved": moved})
    return redirect(request, f"{path_for(request.app, 'settings_page')}?{query}")


def _refused(
    request: Request, session: Session, error: DomainError, at: str, **typed: object
) -> Response:
    """The page again, the message beside the form at ``at``, what was typed kept."""
    context = {"page": views.settings_page(session), "error": error, "error_at": at, **typed}
    return render(request, TEMPLATE, context, status_code=422)


@router.get("/settings", name="settings_page")
def settings_page(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    moved: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return render(request, TEMPLATE, {"page": views.settings_page(session), "moved": moved})


# ---------------------------------------------------------------- focus areas


@router.post("/settings/focus-areas", name="settings_area_add")
def settings_area_add(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    name_da: Annotated[str, Form(max_length=TEXT)] = "",
    name_en: Annotated[str, Form(max_length=TEXT)] = "",
    description_da: Annotated[str, Form(max_length=TEXT)] = "",
    description_en: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    typed = {
        "name_da": name_da,
        "name_en": name_en,
        "description_da": description_da,
        "description_en": description_en,
    }
    try:
        service.add_focus_area(session, **typed)
    except DomainError as error:
        return _refused(request, session, error, "area-new", new_area=typed)
    return redirect(request, _page(request, "focus-areas"))


@router.get("/settings/focus-areas/{area_id}", name="settings_area_edit_page")
def settings_area_edit_page(
    area_id: int, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    area = views.focus_area(session, area_id)
    context = {"area": area, "form": area, "limits": views.SettingsLimits()}
    return render(request, "settings/focus_area.html", context)


@router.post("/settings/focus-areas/{area_id}", name="settings_area_edit")
def settings_area_edit(
    area_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    name_da: Annotated[str, Form(max_length=TEXT)] = "",
    name_en: Annotated[str, Form(max_length=TEXT)] = "",
    description_da: Annotated[str, Form(max_length=TEXT)] = "",
    description_en: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    typed = {
        "name_da": name_da,
        "name_en": name_en,
        "description_da": description_da,
        "description_en": description_en,
    }
    try:
        service.edit_focus_area(session, area_id=area_id, **typed)
    except DomainError as error:
        area = views.focus_area(session, area_id)
        context = {"area": area, "form": typed, "error": error, "limits": views.SettingsLimits()}
        return render(request, "settings/focus_area.html", context, status_code=422)
    return redirect(request, _page(request, "focus-areas"))


@router.post("/settings/focus-areas/{area_id}/archive", name="settings_area_archive")
def settings_area_archive(
    area_id: int, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    service.set_focus_area_archived(session, area_id=area_id, archived=True)
    return redirect(request, _page(request, "focus-areas"))


@router.post("/settings/focus-areas/{area_id}/reactivate", name="settings_area_reactivate")
def settings_area_reactivate(
    area_id: int, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    service.set_focus_area_archived(session, area_id=area_id, archived=False)
    return redirect(request, _page(request, "focus-areas"))


@router.post("/settings/focus-areas/{area_id}/move", name="settings_area_move")
def settings_area_move(
    area_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    direction: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    up = direction == "up"
    service.move_focus_area(session, area_id=area_id, up=up)
    return _after_move(request, f"area-{area_id}", up=up)


@router.post("/settings/focus-areas/{area_id}/delete", name="settings_area_delete")
def settings_area_delete(
    area_id: int, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    try:
        service.delete_focus_area(session, area_id=area_id)
    except DomainError as error:
        return _refused(request, session, error, f"area-{area_id}")
    return redirect(request, _page(request, "focus-areas"))


# ---------------------------------------------------------------- texts, time, decks


@router.post("/settings/texts", name="settings_texts")
def settings_texts(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    intro_da: Annotated[str, Form(max_length=TEXT)] = "",
    intro_en: Annotated[str, Form(max_length=TEXT)] = "",
    appreciative_da: Annotated[str, Form(max_length=TEXT)] = "",
    appreciative_en: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    typed = {
        "intro_da": intro_da,
        "intro_en": intro_en,
        "appreciative_da": appreciative_da,
        "appreciative_en": appreciative_en,
    }
    try:
        service.save_texts(session, now=now, **typed)
    except DomainError as error:
        return _refused(request, session, error, "texts", texts=typed)
    return redirect(request, _page(request, "texts"))


@router.post("/settings/minutes", name="settings_minutes")
def settings_minutes(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    minutes_start: Annotated[str, Form(max_length=20)] = "",
    minutes_status: Annotated[str, Form(max_length=20)] = "",
    minutes_arbejdsglaede: Annotated[str, Form(max_length=20)] = "",
    minutes_feedback: Annotated[str, Form(max_length=20)] = "",
    minutes_aftaler: Annotated[str, Form(max_length=20)] = "",
    minutes_slut: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    typed = {
        "start": minutes_start,
        "status": minutes_status,
        "arbejdsglaede": minutes_arbejdsglaede,
        "feedback": minutes_feedback,
        "aftaler": minutes_aftaler,
        "slut": minutes_slut,
    }
    try:
        service.save_minutes(session, minutes=typed, now=now)
    except DomainError as error:
        return _refused(request, session, error, "minutes", minutes=typed)
    return redirect(request, _page(request, "minutes"))


@router.post("/settings/decks", name="settings_decks")
def settings_decks(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
    status_deck: Annotated[str, Form(max_length=20)] = "",
    inspiration_deck: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        service.save_default_decks(
            session,
            status_deck_id=int(status_deck) if status_deck.isdigit() else None,
            inspiration_deck_id=int(inspiration_deck) if inspiration_deck.isdigit() else None,
            now=now,
        )
    except DomainError as error:
        return _refused(request, session, error, "decks")
    return redirect(request, _page(request, "decks"))


# ---------------------------------------------------------------- question bank


@router.post("/settings/questions", name="settings_question_add")
def settings_question_add(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    step: Annotated[str, Form(max_length=20)] = "",
    text_da: Annotated[str, Form(max_length=TEXT)] = "",
    text_en: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    try:
        service.add_question(session, step=step, text_da=text_da, text_en=text_en)
    except DomainError as error:
        return _refused(
            request,
            session,
            error,
            f"question-new-{step}",
            new_question={"step": step, "text_da": text_da, "text_en": text_en},
        )
    return redirect(request, _page(request, f"questions-{step}"))


@router.post("/settings/questions/{question_id}", name="settings_question_edit")
def settings_question_edit(
    question_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    text_da: Annotated[str, Form(max_length=TEXT)] = "",
    text_en: Annotated[str, Form(max_length=TEXT)] = "",
) -> Response:
    try:
        question = service.edit_question(
            session, question_id=question_id, text_da=text_da, text_en=text_en
        )
    except DomainError as error:
        return _refused(request, session, error, f"question-{question_id}")
    return redirect(request, _page(request, f"questions-{question.step}"))


@router.post("/settings/questions/{question_id}/move", name="settings_question_move")
def settings_question_move(
    question_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    direction: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    up = direction == "up"
    service.move_question(session, question_id=question_id, up=up)
    return _after_move(request, f"question-{question_id}", up=up)


@router.post("/settings/questions/{question_id}/active", name="settings_question_active")
def settings_question_active(
    question_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    question = service.set_question_active(session, question_id=question_id, active=active == "1")
    return redirect(request, _page(request, f"questions-{question.step}"))
