"""The conversation at the tablet: thin HTTP over conversations.service (DESIGN §1, §7)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.accounts.deps import LeaderDep
from app.conversations import service, views
from app.conversations.steps import BY_STEP, ROWS
from app.db import SessionDep, WriteSessionDep, only_reads_from_here
from app.errors import N_, DomainError
from app.models import BoardRow, Step
from app.records import audit
from app.records.service import build_record
from app.web import is_partial, render

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


def _now(request: Request) -> Any:
    return request.app.state.clock()


@router.get("/")
def conversations_home(request: Request, session: SessionDep, leader: LeaderDep) -> Response:
    return render(request, "conversations/home.html", views.home(session, leader_id=leader.id or 0))


@router.get("/conversations/new")
def conversations_new(request: Request, session: SessionDep, leader: LeaderDep) -> Response:
    return render(request, "conversations/new.html", _new_context(request, session, leader.id))


def _new_context(
    request: Request, session: Any, leader_id: int | None, **extra: Any
) -> dict[str, Any]:
    today = request.app.state.clock().date()
    return {
        "employees": service.employees_of(session, leader_id=leader_id or 0),
        "decks": views.deck_choices(session),
        "today": today,
        "form": {"employee": "", "date": today.isoformat(), "language": _lang(request)},
        **extra,
    }


@router.post("/conversations")
def conversations_create(
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    employee: Annotated[str, Form(max_length=1000)] = "",
    on: Annotated[str, Form(alias="date", max_length=20)] = "",
    language: Annotated[str, Form(max_length=5)] = "da",
    status_deck: Annotated[str, Form(max_length=12)] = "",
    inspiration_deck: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    try:
        conversation = service.create_conversation(
            session,
            leader_id=leader.id or 0,
            employee_name=employee,
            on=_parse_date(on) or request.app.state.clock().date(),
            language=language,
            status_deck_id=int(status_deck) if status_deck.isdigit() else None,
            inspiration_deck_id=int(inspiration_deck) if inspiration_deck.isdigit() else None,
        )
    except DomainError as error:
        form = {"employee": employee, "date": on, "language": language}
        context = _new_context(request, session, leader.id, error=error)
        context["form"] = form
        return render(request, "conversations/new.html", context, status_code=422)
    return RedirectResponse(
        request.url_for("conversations_step", conversation_id=conversation.id, step="start").path,
        status_code=303,
    )


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
    conversation = service.own_conversation(session, leader.id or 0, conversation_id)
    step = conversation.current_step
    return RedirectResponse(
        request.url_for("conversations_step", conversation_id=conversation_id, step=step).path,
        status_code=303,
    )


@router.get("/conversations/{conversation_id}/export.json")
def conversations_export_json(
    conversation_id: int, request: Request, session: WriteSessionDep, leader: LeaderDep
) -> Response:
    conversation = service.own_conversation(session, leader.id or 0, conversation_id)
    record = build_record(session, conversation)
    # Every export is in the audit log (DESIGN §4).
    audit.log(
        session,
        action="export",
        at=_now(request),
        user_id=leader.id,
        conversation_id=conversation.id,
        employee_id=conversation.employee_id,
        format="json",
    )
    session.commit()
    filename = f"samtale-{conversation.id}-{conversation.date.isoformat()}.json"
    return JSONResponse(record, headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/conversations/{conversation_id}/{step}")
def conversations_step(
    conversation_id: int, step: Step, request: Request, session: WriteSessionDep, leader: LeaderDep
) -> Response:
    conversation = service.open_step(
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        step=step,
        now=_now(request),
    )
    return _render_step(request, session, conversation, step)


def _render_step(
    request: Request,
    session: Any,
    conversation: Any,
    step: Step,
    *,
    block: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    only_reads_from_here(session)
    lang = _lang(request)
    context: dict[str, Any] = {
        "c": views.conversation_view(session, conversation, step=step, now=_now(request)),
        "rows": ROWS,
        **extra,
    }
    if step == Step.start:
        context["previous"] = views.agreement_views(
            session, service.previous_agreements(session, conversation), lang
        )
    elif step == Step.status:
        context["status"] = views.status_step(session, conversation, lang)
    elif step == Step.arbejdsglaede:
        context["board"] = views.board_step(session, conversation, lang)
    elif step == Step.aftaler:
        context["agreements"] = views.agreement_views(
            session, service.agreements_of(session, conversation), lang
        )
        context["choosable"] = views.choosable_picks(session, conversation, lang)
        context["new_token"] = secrets.token_urlsafe(16)
    elif step == Step.slut:
        context["summary"] = views.summary(session, conversation, lang)
    return render(request, BY_STEP[step].template, context, block=block, status_code=status_code)


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
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        card_id=card_id,
        picked=picked == "true",
        revision=who.revision,
        client=who.client,
    )
    context = views.status_pick(session, tapped, _lang(request))
    return render(request, "conversations/status_pick.html", context)


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
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        pick_id=pick_id,
        note=note,
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
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        card_id=card_id,
        row=row,
        revision=who.revision,
        client=who.client,
    )
    return _board(request, session, leader.id or 0, conversation_id, changed_cards=(card_id,))


def _board(
    request: Request,
    session: Any,
    leader_id: int,
    conversation_id: int,
    *,
    changed_cards: tuple[int, ...] = (),
) -> Response:
    """After a change on the board: the rows and the tray cards it changed for htmx (the
    whole tray was 46 KB, and swapping it scrolled the tray back to the top); the step's
    page otherwise."""
    only_reads_from_here(session)
    conversation = service.own_conversation(session, leader_id, conversation_id)
    if not is_partial(request):
        return _render_step(request, session, conversation, Step.arbejdsglaede)
    context = views.board_change(session, conversation, _lang(request), changed_cards)
    return render(request, "conversations/board_change.html", context)


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
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        pick_id=pick_id,
        row=row,
        revision=who.revision,
        client=who.client,
    )
    return _board(request, session, leader.id or 0, conversation_id)


@router.post("/conversations/{conversation_id}/picks/{pick_id}/remove")
def conversations_pick_remove(
    conversation_id: int,
    pick_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
) -> Response:
    removed = service.remove_pick(
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        pick_id=pick_id,
        revision=who.revision,
        client=who.client,
    )
    return _board(
        request, session, leader.id or 0, conversation_id, changed_cards=(removed.card_id,)
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
        session, leader_id=leader.id or 0, conversation_id=conversation_id, row=row, note=note
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
        session, leader_id=leader.id or 0, conversation_id=conversation_id, field=field, text=text
    )
    return _saved(request)


# ---------------------------------------------------------------- agreements


def _agreement_input(
    text: str, owner: str, due: str, strategic_area: str, cards: list[str]
) -> service.AgreementInput:
    return service.AgreementInput(
        text=text,
        owner=owner,
        due=_parse_date(due),
        strategic_area=strategic_area,
        pick_ids=tuple(int(c) for c in cards if c.isdigit()),
    )


@router.post("/conversations/{conversation_id}/agreements")
def conversations_agreement_add(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    text: Annotated[str, Form(max_length=200_000)] = "",
    owner: Annotated[str, Form(max_length=20)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    strategic_area: Annotated[str, Form(max_length=1000)] = "",
    cards: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
    token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    service.add_agreement(
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        data=_agreement_input(text, owner, due, strategic_area, cards),
        token=token,
        client=who.client,
    )
    return _agreements(request, session, leader.id or 0, conversation_id)


def _agreements(request: Request, session: Any, leader_id: int, conversation_id: int) -> Response:
    only_reads_from_here(session)
    conversation = service.own_conversation(session, leader_id, conversation_id)
    return _render_step(request, session, conversation, Step.aftaler, block="agreements_area")


@router.post("/conversations/{conversation_id}/agreements/{agreement_id}")
def conversations_agreement_edit(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
    text: Annotated[str, Form(max_length=200_000)] = "",
    owner: Annotated[str, Form(max_length=20)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
    strategic_area: Annotated[str, Form(max_length=1000)] = "",
    cards: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    service.edit_agreement(
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        data=_agreement_input(text, owner, due, strategic_area, cards),
        client=who.client,
    )
    return _agreements(request, session, leader.id or 0, conversation_id)


@router.post("/conversations/{conversation_id}/agreements/{agreement_id}/delete")
def conversations_agreement_delete(
    conversation_id: int,
    agreement_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    who: WriterDep,
) -> Response:
    service.delete_agreement(
        session,
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        agreement_id=agreement_id,
        client=who.client,
    )
    return _agreements(request, session, leader.id or 0, conversation_id)


@router.post("/conversations/{conversation_id}/no-agreements")
def conversations_no_agreements(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    value: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    service.set_no_agreements(
        session, leader_id=leader.id or 0, conversation_id=conversation_id, value=value == "true"
    )
    return _agreements(request, session, leader.id or 0, conversation_id)


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
        leader_id=leader.id or 0,
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
        leader_id=leader.id or 0,
        conversation_id=conversation_id,
        day=_parse_date(follow_up_date),
    )
    return _saved(request)


@router.post("/conversations/{conversation_id}/finish")
def conversations_finish(
    conversation_id: int, request: Request, session: SessionDep, leader: LeaderDep
) -> Response:
    service.finish_conversation(
        session, leader_id=leader.id or 0, conversation_id=conversation_id, now=_now(request)
    )
    target = request.url_for("conversations_step", conversation_id=conversation_id, step="slut")
    if request.headers.get("hx-request"):
        # The whole page changes to read-only: let htmx load it as a page.
        return Response(status_code=204, headers={"HX-Redirect": target.path})
    return RedirectResponse(target.path, status_code=303)
