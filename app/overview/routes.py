"""The organisation overview over HTTP (issue 16): the page and its CSV, the same filters.

Facilitators and admins see the whole organisation; a leader sees their own employees as one
team, and only when it has at least five. Plain ``def`` routes: the aggregates run in a worker
thread, never on the event loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRouter

from app.accounts.deps import Account, LeaderDep
from app.db import SessionDep
from app.deps import NowDep
from app.errors import DomainError
from app.i18n import TIMEZONE
from app.overview import service, views
from app.overview.anonymity import K
from app.web import render

router = APIRouter()
Filter = Annotated[str, Query(max_length=200)]
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def _scope(user: Account) -> service.Scope:
    return service.Scope(leader_id=None if user.is_facilitator else user.id)


@router.get("/overview")
def overview_page(
    request: Request,
    session: SessionDep,
    user: LeaderDep,
    now: NowDep,
    period: Filter = "",
    team: Filter = "",
) -> Response:
    today = now.astimezone(TIMEZONE).date()
    lang: str = request.state.lang
    error: DomainError | None = None
    try:
        chosen = service.parse_period(period, today=today)
    except DomainError as problem:
        error, chosen = problem, service.Period(today.year)
    overview = service.compute(session, scope=_scope(user), period=chosen, today=today, lang=lang)
    page = views.build(
        overview, team=team, today=today, lang=lang, leader_view=not user.is_facilitator
    )
    return render(
        request,
        "overview/page.html",
        {"page": page, "error": error},
        block="overview_body",
        status_code=422 if error else 200,
        headers=PRIVATE,
    )


@router.get("/overview/export.csv")
def overview_export_csv(
    request: Request,
    session: SessionDep,
    user: LeaderDep,
    now: NowDep,
    period: Filter = "",
    team: Filter = "",
) -> Response:
    """The same figures as the page, the same rule; the download is in the audit log."""
    today = now.astimezone(TIMEZONE).date()
    lang: str = request.state.lang
    chosen = service.parse_period(period, today=today)
    leader_view = not user.is_facilitator
    overview = service.compute(session, scope=_scope(user), period=chosen, today=today, lang=lang)
    if leader_view and overview.headcount < K:
        overview.figures.clear()
    labels = {
        g: views.group_label(g, lang, leader_view=leader_view) for g in overview.groups.members
    }
    data = service.export_csv(overview, team="" if leader_view else team, label_of=labels)
    service.log_export(session, user_id=user.id, at=now)
    name = f"overview-{chosen.code}.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE},
    )
