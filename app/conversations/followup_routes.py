"""The follow-up and the check-in: thin HTTP over conversations.followup. Included before the
conversations router, whose ``/conversations/{id}/{step}`` would otherwise catch
``/conversations/{id}/start-follow-up``. The status cards are picked and noted through the
conversation's own routes, the same as in a MUS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts.deps import LeaderDep
from app.conversations import followup, service, views
from app.conversations.planning_routes import parse_date
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.i18n import TIMEZONE
from app.web import path_for, redirect, render

router = APIRouter()
NOTE = Annotated[str, Form(max_length=200_000)]
SHORT = Annotated[str, Form(max_length=200)]


def _page(request: Request, conversation_id: int) -> str:
    return path_for(request.app, "followups_show", conversation_id=conversation_id)


@router.post("/conversations/{conversation_id}/start-follow-up")
def followups_start(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    started = followup.start_followup(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        on=now.astimezone(TIMEZONE).date(),
    )
    return redirect(request, _page(request, started.id or 0))


@router.post("/employees/{employee_id}/check-in")
def checkins_start(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    today = now.astimezone(TIMEZONE).date()
    started = followup.start_checkin(
        session,
        leader_id=leader.id,
        employee_id=employee_id,
        on=parse_date(day) or today,
        today=today,
    )
    return redirect(request, _page(request, started.id or 0))


@router.get("/followups/{conversation_id}")
def followups_show(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    conversation = followup.own_short(session, leader.id, conversation_id)
    context = views.short_page(
        session,
        conversation,
        lang=str(request.state.lang),
        now=now,
        reopen_days=settings.reopen_days,
    )
    return render(request, "conversations/followup.html", context)


@router.post("/followups/{conversation_id}/agreements/{agreement_id}/review")
def followups_review(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    status: Annotated[str, Form(max_length=20)] = "",
    comment: NOTE = "",
    new_due: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    followup.review(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        status=status,
        comment=comment,
        new_due=parse_date(new_due),
        now=now,
    )
    return redirect(request, _page(request, conversation_id) + f"#review-{agreement_id}")


@router.post("/followups/{conversation_id}/agreements/{agreement_id}/grow")
def followups_grow(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    text: NOTE = "",
    owner: SHORT = "",
    due: Annotated[str, Form(max_length=20)] = "",
    token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    followup.grow_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        data=service.AgreementInput(text, owner, parse_date(due), "", ()),
        token=token,
    )
    return redirect(request, _page(request, conversation_id) + f"#review-{agreement_id}")


@router.post("/followups/{conversation_id}/finish")
def followups_finish(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    followup.finish(session, leader_id=leader.id, conversation_id=conversation_id, now=now)
    return redirect(request, _page(request, conversation_id))
