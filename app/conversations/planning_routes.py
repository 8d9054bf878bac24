"""Moving, cancelling and deleting a planned conversation: thin HTTP over
conversations.planning. Included before the conversations router, whose
``/conversations/{id}/{step}`` would otherwise catch ``/conversations/{id}/move``."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts.deps import LeaderDep
from app.conversations import planning
from app.db import SessionDep
from app.deps import NowDep
from app.errors import N_, DomainError
from app.i18n import TIMEZONE
from app.models import Step
from app.web import path_for, redirect, render

router = APIRouter()
BACK = ("start", "home")


def parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("Enter a date as day, month and year.")) from None


def parse_time(value: str) -> time | None:
    """``13:30`` from a time field; empty: no time of day yet."""
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(N_("Enter a time as hours and minutes, for example 13:30.")) from None


def parse_minutes(value: str) -> int | None:
    if not value.strip():
        return None
    if not value.strip().isdigit() or len(value.strip()) > 4:
        raise DomainError(N_("Enter the duration as a number of minutes."))
    return int(value.strip())


def _back_url(request: Request, conversation_id: int, back: str) -> str:
    if back == "home":
        return path_for(request.app, "conversations_home")
    return path_for(
        request.app, "conversations_step", conversation_id=conversation_id, step=Step.start
    )


@router.get("/conversations/{conversation_id}/move")
def conversations_move_form(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    back: str = "start",
) -> Response:
    conversation = planning.own_planned_conversation(session, leader.id, conversation_id)
    context = planning.move_view(session, conversation)
    context["back"] = back if back in BACK else "start"
    return render(request, "conversations/move.html", context)


@router.post("/conversations/{conversation_id}/move")
def conversations_move(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    on: Annotated[str, Form(alias="date", max_length=20)] = "",
    at: Annotated[str, Form(alias="time", max_length=20)] = "",
    duration: Annotated[str, Form(max_length=20)] = "",
    place: Annotated[str, Form(max_length=1000)] = "",
    back: Annotated[str, Form(max_length=10)] = "start",
) -> Response:
    back = back if back in BACK else "start"
    today = now.astimezone(TIMEZONE).date()
    try:
        day = parse_date(on)
        if day is None:
            raise DomainError(N_("Choose the new day."))
        planning.move_conversation(
            session,
            leader_id=leader.id,
            conversation_id=conversation_id,
            on=day,
            starts_at=parse_time(at),
            duration_minutes=parse_minutes(duration),
            place=place,
            today=today,
        )
    except DomainError as error:
        # Beside the form, with what was typed kept; a conversation that began meanwhile
        # (or another leader's) gets the app's error page instead.
        conversation = planning.own_planned_conversation(session, leader.id, conversation_id)
        context = planning.move_view(session, conversation)
        context.update(
            back=back,
            error=error,
            form={"date": on, "time": at, "duration": duration, "place": place},
        )
        return render(request, "conversations/move.html", context, status_code=422)
    return redirect(request, _back_url(request, conversation_id, back))


@router.get("/conversations/{conversation_id}/cancel")
def conversations_cancel_form(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep
) -> Response:
    conversation = planning.own_planned_conversation(session, leader.id, conversation_id)
    return render(request, "conversations/cancel.html", planning.move_view(session, conversation))


@router.post("/conversations/{conversation_id}/cancel")
def conversations_cancel(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    try:
        planning.cancel_conversation(
            session, leader_id=leader.id, conversation_id=conversation_id, reason=reason, now=now
        )
    except DomainError as error:
        conversation = planning.own_planned_conversation(session, leader.id, conversation_id)
        context = planning.move_view(session, conversation)
        context.update(error=error, reason=reason)
        return render(request, "conversations/cancel.html", context, status_code=422)
    return redirect(request, _back_url(request, conversation_id, "start"))


@router.post("/conversations/{conversation_id}/delete")
def conversations_delete(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    planning.delete_conversation(
        session, leader_id=leader.id, conversation_id=conversation_id, now=now
    )
    return redirect(request, path_for(request.app, "conversations_home"))
