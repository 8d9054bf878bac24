"""The conversation at the tablet: thin HTTP over conversations.service (DESIGN §1, §7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import Account, LeaderDep
from app.config import Settings
from app.conversations import planning, service, views
from app.conversations.planning_routes import parse_minutes, parse_time
from app.conversations.steps import BY_STEP
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.errors import N_, DomainError
from app.i18n import TIMEZONE
from app.models import BoardRow, Conversation, ConversationKind, Step
from app.observability import metrics
from app.web import path_for, redirect, render

router = APIRouter()
NOTE = Annotated[str, Form(max_length=200_000)]


@dataclass(frozen=True)
class Writer:
    """Which page wrote, and which revision of the conversation it had seen."""

    client: str
    revision: int | None


async def writer(
    x_client: Annotated[str, Header(max_length=64)] = "",
    x_revision: Annotated[str, Header(max_length=12)] = "",
) -> Writer:
    return Writer(client=x_client, revision=int(x_revision) if x_revision.isdigit() else None)


WriterDep = Annotated[Writer, Depends(writer)]


def _lang(request: Request) -> str:
    return str(request.state.lang)


def _step_url(request: Request, conversation_id: int, step: Step | str) -> str:
    return path_for(request.app, "conversations_step", conversation_id=conversation_id, step=step)


@router.get("/")
def conversations_home(
    request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    today = now.astimezone(TIMEZONE).date()
    return render(
        request, "conversations/home.html", views.home(session, leader_id=leader.id, today=today)
    )


@router.get("/conversations/new")
def conversations_new(
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    employee: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    # ?employee= comes from "Plan conversation" on the employee's page: the name, filled in.
    context = views.new_conversation(session, leader_id=leader.id, today=now.date())
    context["form"] = {
        "employee": employee,
        "date": now.date().isoformat(),
        "language": _lang(request),
        "time": "",
        "duration": str(context["default_duration"]),
        "place": "",
    }
    return render(request, "conversations/new.html", context)


@router.post("/conversations")
def conversations_create(
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    employee: Annotated[str, Form(max_length=1000)] = "",
    on: Annotated[str, Form(alias="date", max_length=20)] = "",
    language: Annotated[str, Form(max_length=5)] = "da",
    status_deck: Annotated[str, Form(max_length=12)] = "",
    inspiration_deck: Annotated[str, Form(max_length=12)] = "",
    at: Annotated[str, Form(alias="time", max_length=20)] = "",
    duration: Annotated[str, Form(max_length=20)] = "",
    place: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        conversation = service.create_conversation(
            session,
            leader_id=leader.id,
            employee_name=employee,
            on=_parse_date(on) or now.date(),
            language=language,
            status_deck_id=int(status_deck) if status_deck.isdigit() else None,
            inspiration_deck_id=int(inspiration_deck) if inspiration_deck.isdigit() else None,
            starts_at=parse_time(at),
            duration_minutes=parse_minutes(duration),
            place=place,
        )
    except DomainError as error:
        # Shown beside the form, with what was typed kept.
        context = views.new_conversation(session, leader_id=leader.id, today=now.date())
        context["form"] = {
            "employee": employee,
            "date": on,
            "language": language,
            "time": at,
            "duration": duration,
            "place": place,
        }
        context["error"] = error
        return render(request, "conversations/new.html", context, status_code=422)
    return redirect(request, _step_url(request, conversation.id or 0, Step.start))


def _parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("Enter a date as day, month and year.")) from None


@router.get("/conversations/{conversation_id}")
def conversations_show(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep
) -> Response:
    conversation = service.own_conversation(session, leader.id, conversation_id)
    return redirect(request, _step_url(request, conversation_id, conversation.current_step))


@router.get("/conversations/{conversation_id}/{step}")
def conversations_step(
    conversation_id: int,
    step: Step,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    if service.own_conversation(session, leader.id, conversation_id).kind != ConversationKind.mus:
        # A follow-up or check-in has one page of its own, not the six steps.
        return redirect(
            request, path_for(request.app, "followups_show", conversation_id=conversation_id)
        )
    conversation = service.open_step(
        session, leader_id=leader.id, conversation_id=conversation_id, step=step, now=now
    )
    return _step_page(request, session, conversation, step, now, settings)


@router.post("/conversations/{conversation_id}/begin")
def conversations_begin(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    conversation = service.start_conversation(
        session, leader_id=leader.id, conversation_id=conversation_id, now=now
    )
    # The agenda starts counting and the button goes: the step is loaded as a page.
    return redirect(request, _step_url(request, conversation_id, conversation.current_step))


def _step_page(
    request: Request,
    session: Session,
    conversation: Conversation,
    step: Step,
    now: datetime,
    settings: Settings,
    *,
    block: str | None = None,
    oob: Sequence[tuple[str, Mapping[str, object]]] = (),
) -> Response:
    context = views.step_page(
        session,
        conversation,
        step=step,
        lang=_lang(request),
        now=now,
        reopen_days=settings.reopen_days,
    )
    if step == Step.start:
        # The meeting, and what its invitation does: sent by e-mail, or downloaded when this
        # server sends no e-mail.
        context["plan"] = planning.plan_view(session, conversation)
        context["mail_on"] = settings.smtp_host is not None
    return render(request, BY_STEP[step].template, context, block=block, oob=oob)


# ---------------------------------------------------------------- status cards


@router.post("/conversations/{conversation_id}/status/{card_id}")
def conversations_status_pick(
    conversation_id: int,
    card_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    picked: Annotated[str, Form(max_length=5)] = "true",
) -> Response:
    tapped = service.tap_status_card(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        card_id=card_id,
        picked=picked == "true",
        revision=who.revision,
        client=who.client,
    )
    if picked == "true":
        metrics.count_pick("status")
    return render(
        request,
        "conversations/status.html",
        views.status_pick(session, tapped, _lang(request)),
        block=["status_card", "chosen"],
        page=_step_url(request, conversation_id, Step.status),
    )


@router.post("/conversations/{conversation_id}/picks/{pick_id}/note")
def conversations_pick_note(
    conversation_id: int,
    pick_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    note: NOTE = "",
) -> Response:
    service.set_pick_note(
        session, leader_id=leader.id, conversation_id=conversation_id, pick_id=pick_id, note=note
    )
    return _saved(request)


def _saved(request: Request) -> Response:
    return render(request, "partials/saved.html")


# ---------------------------------------------------------------- the board


@router.post("/conversations/{conversation_id}/board/{row}")
def conversations_board_place(
    conversation_id: int,
    row: BoardRow,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    card_id: Annotated[int, Form()],
) -> Response:
    service.place_card(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        card_id=card_id,
        row=row,
        revision=who.revision,
        client=who.client,
    )
    metrics.count_pick("board")
    return _board(request, session, leader, conversation_id, changed_cards=(card_id,))


def _board(
    request: Request,
    session: Session,
    leader: Account,
    conversation_id: int,
    *,
    changed_cards: tuple[int, ...] = (),
    oob: Sequence[tuple[str, Mapping[str, object]]] = (),
) -> Response:
    """After a change on the board: the rows and the tray cards it changed (the whole tray
    was 46 KB, and swapping it scrolled the tray back to the top), and ``oob`` pieces."""
    conversation = service.own_conversation(session, leader.id, conversation_id)
    return render(
        request,
        "conversations/board.html",
        views.board_change(session, conversation, _lang(request), changed_cards),
        block=["board", "tray"],
        page=_step_url(request, conversation_id, Step.arbejdsglaede),
        oob=oob,
    )


def _undo_prompt(undo: views.UndoView | None) -> list[tuple[str, Mapping[str, object]]]:
    """The Undo prompt, swapped out of band into the step page's #undo; None empties it."""
    return [("partials/undo.html", {"undo": undo})]


@router.post("/conversations/{conversation_id}/picks/{pick_id}/move")
def conversations_pick_move(
    conversation_id: int,
    pick_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    row: Annotated[BoardRow, Form()],
) -> Response:
    service.move_pick(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        pick_id=pick_id,
        row=row,
        revision=who.revision,
        client=who.client,
    )
    return _board(request, session, leader, conversation_id)


@router.post("/conversations/{conversation_id}/picks/{pick_id}/remove")
def conversations_pick_remove(
    conversation_id: int,
    pick_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
) -> Response:
    removed = service.remove_pick(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        pick_id=pick_id,
        now=now,
        revision=who.revision,
        client=who.client,
    )
    return _board(
        request,
        session,
        leader,
        conversation_id,
        changed_cards=(removed.card_id,),
        oob=_undo_prompt(views.undo_pick(removed, _lang(request))),
    )


@router.post("/conversations/{conversation_id}/picks/{pick_id}/restore")
def conversations_pick_restore(
    conversation_id: int,
    pick_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
) -> Response:
    restored = service.restore_pick(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        pick_id=pick_id,
        now=now,
        revision=who.revision,
        client=who.client,
    )
    return _board(
        request,
        session,
        leader,
        conversation_id,
        changed_cards=(restored.card_id,),
        oob=_undo_prompt(None),
    )


@router.post("/conversations/{conversation_id}/rows/{row}/note")
def conversations_row_note(
    conversation_id: int,
    row: BoardRow,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    note: NOTE = "",
) -> Response:
    service.set_row_note(
        session, leader_id=leader.id, conversation_id=conversation_id, row=row, note=note
    )
    return _saved(request)


# ---------------------------------------------------------------- feedback


@router.post("/conversations/{conversation_id}/feedback/{field}")
def conversations_feedback(
    conversation_id: int,
    field: str,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    text: NOTE = "",
) -> Response:
    service.set_feedback(
        session, leader_id=leader.id, conversation_id=conversation_id, field=field, text=text
    )
    return _saved(request)


# ---------------------------------------------------------------- agreements


def _agreement_input(
    text: str, owner: str, due: str, strategic_area: str, focus_area: str, cards: list[str]
) -> service.AgreementInput:
    # The select offers the conversation's focus areas by id, "" for none, and an older
    # agreement's own wording as "text:…" so that editing it keeps it.
    if focus_area.startswith("text:"):
        strategic_area, focus_area = focus_area.removeprefix("text:"), ""
    return service.AgreementInput(
        text=text,
        owner=owner,
        due=_parse_date(due),
        strategic_area=strategic_area,
        pick_ids=tuple(int(c) for c in cards if c.isdigit()),
        focus_area_id=int(focus_area) if focus_area.isdigit() else None,
    )


@router.post("/conversations/{conversation_id}/agreements")
def conversations_agreement_add(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=200_000)] = "",
    owner: Annotated[str, Form(max_length=20)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    strategic_area: Annotated[str, Form(max_length=1000)] = "",
    focus_area: Annotated[str, Form(max_length=1000)] = "",
    cards: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
    token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    service.add_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        data=_agreement_input(text, owner, due, strategic_area, focus_area, cards),
        token=token,
        client=who.client,
    )
    return _agreements(request, session, leader, conversation_id, now, settings)


def _agreements(
    request: Request,
    session: Session,
    leader: Account,
    conversation_id: int,
    now: datetime,
    settings: Settings,
    *,
    oob: Sequence[tuple[str, Mapping[str, object]]] = (),
) -> Response:
    conversation = service.own_conversation(session, leader.id, conversation_id)
    return _step_page(
        request,
        session,
        conversation,
        Step.aftaler,
        now,
        settings,
        block="agreements_area",
        oob=oob,
    )


@router.post("/conversations/{conversation_id}/agreements/{agreement_id}")
def conversations_agreement_edit(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=200_000)] = "",
    owner: Annotated[str, Form(max_length=20)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    strategic_area: Annotated[str, Form(max_length=1000)] = "",
    focus_area: Annotated[str, Form(max_length=1000)] = "",
    cards: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    service.edit_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        data=_agreement_input(text, owner, due, strategic_area, focus_area, cards),
        client=who.client,
    )
    return _agreements(request, session, leader, conversation_id, now, settings)


@router.post("/conversations/{conversation_id}/agreements/{agreement_id}/delete")
def conversations_agreement_delete(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    deleted = service.delete_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        now=now,
        client=who.client,
    )
    undo = views.undo_agreement(deleted) if deleted is not None else None
    return _agreements(
        request, session, leader, conversation_id, now, settings, oob=_undo_prompt(undo)
    )


@router.post("/conversations/{conversation_id}/agreements/{agreement_id}/restore")
def conversations_agreement_restore(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    service.restore_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        now=now,
        client=who.client,
    )
    return _agreements(
        request, session, leader, conversation_id, now, settings, oob=_undo_prompt(None)
    )


@router.post("/conversations/{conversation_id}/no-agreements")
def conversations_no_agreements(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    settings: SettingsDep,
    value: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    service.set_no_agreements(
        session, leader_id=leader.id, conversation_id=conversation_id, value=value == "true"
    )
    return _agreements(request, session, leader, conversation_id, now, settings)


@router.post("/conversations/{conversation_id}/previous/{agreement_id}")
def conversations_review_previous(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    status: Annotated[str, Form(max_length=20)] = "",
    comment: NOTE = "",
) -> Response:
    service.review_agreement(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        status=status,
        comment=comment,
    )
    return _saved(request)


# ---------------------------------------------------------------- finishing


@router.post("/conversations/{conversation_id}/follow-up")
def conversations_follow_up(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    follow_up_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    service.set_follow_up_date(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        day=_parse_date(follow_up_date),
    )
    return _saved(request)


@router.post("/conversations/{conversation_id}/reopen")
def conversations_reopen(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    settings: SettingsDep,
) -> Response:
    service.reopen_conversation(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        now=now,
        reopen_days=settings.reopen_days,
    )
    # The whole page becomes editable again: it is loaded as a page.
    return redirect(request, _step_url(request, conversation_id, Step.slut))


@router.post("/conversations/{conversation_id}/finish")
def conversations_finish(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep, now: NowDep
) -> Response:
    service.finish_conversation(
        session, leader_id=leader.id, conversation_id=conversation_id, now=now
    )
    # The whole page changes to read-only: it is loaded as a page.
    return redirect(request, _step_url(request, conversation_id, Step.slut))
