"""The agenda's topics on the leader's side (issue 15): add one, tick one as talked about.
Thin HTTP over conversations.topics; included before the conversations router, whose
``/conversations/{id}/{step}`` would otherwise catch ``/conversations/{id}/topics``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import LeaderDep
from app.conversations import topics
from app.db import SessionDep
from app.deps import NowDep
from app.models import Step
from app.models.preparation import MAX_TOPIC
from app.web import path_for, render

router = APIRouter()


def _topics(request: Request, session: Session, leader_id: int, conversation_id: int) -> Response:
    start = path_for(
        request.app, "conversations_step", conversation_id=conversation_id, step=Step.start
    )
    context = {
        "c": {"id": conversation_id, "is_open": True},
        "topics": topics.leader_topics(
            session, leader_id=leader_id, conversation_id=conversation_id
        ),
        "topic_limit": MAX_TOPIC,
    }
    return render(request, "conversations/topics.html", context, block="topics", page=start)


@router.post("/conversations/{conversation_id}/topics")
def conversations_topic_add(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=MAX_TOPIC * 4)] = "",
) -> Response:
    topics.add_leader_topic(
        session, leader_id=leader.id, conversation_id=conversation_id, text=text, now=now
    )
    return _topics(request, session, leader.id, conversation_id)


@router.post("/conversations/{conversation_id}/topics/{topic_id}/discussed")
def conversations_topic_discussed(
    conversation_id: int,
    topic_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    discussed: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    topics.set_discussed(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        topic_id=topic_id,
        discussed=discussed in ("on", "true", "1"),
    )
    return _topics(request, session, leader.id, conversation_id)
