"""The leader's Prepare page and the employee's choice to share their suggestions: thin HTTP
over conversations.marking. Included before the conversations router, whose
``/conversations/{id}/{step}`` would otherwise catch ``/conversations/{id}/prepare``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts.deps import LeaderDep
from app.conversations import marking, service
from app.db import SessionDep
from app.errors import DomainError
from app.web import path_for, redirect, render

router = APIRouter()
KEYS = Annotated[list[str], Form(max_length=40)]


def _prepare_page(
    request: Request,
    session: SessionDep,
    leader_id: int,
    conversation_id: int,
    *,
    saved: bool = False,
    error: DomainError | None = None,
) -> Response:
    conversation = service.own_conversation(session, leader_id, conversation_id)
    context = {
        "prep": marking.prepare_view(session, conversation, str(request.state.lang)),
        "saved": saved,
        "error": error,
    }
    return render(request, "conversations/prepare.html", context, status_code=422 if error else 200)


@router.get("/conversations/{conversation_id}/prepare")
def conversations_prepare(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    saved: bool = False,
) -> Response:
    return _prepare_page(request, session, leader.id, conversation_id, saved=saved)


@router.post("/conversations/{conversation_id}/prepare")
def conversations_prepare_save(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    question: KEYS = [],  # noqa: B006 - FastAPI copies the default
    marked: KEYS = [],  # noqa: B006 - FastAPI copies the default
    area: Annotated[list[int], Form()] = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    try:
        marking.save_preparation(
            session,
            leader_id=leader.id,
            conversation_id=conversation_id,
            questions=question,
            marked=marked,
            focus_area_ids=area,
        )
    except DomainError as error:
        if error.status_code != 422:
            raise
        return _prepare_page(request, session, leader.id, conversation_id, error=error)
    url = path_for(request.app, "conversations_prepare", conversation_id=conversation_id)
    return redirect(request, f"{url}?saved=true")


@router.post("/conversations/{conversation_id}/suggestions-shareable")
def conversations_suggestions_shareable(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    shareable: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    service.set_suggestions_shareable(
        session, leader_id=leader.id, conversation_id=conversation_id, shareable=bool(shareable)
    )
    return render(request, "partials/saved.html")
