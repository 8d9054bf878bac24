"""Records over HTTP (DESIGN §4, §7): exports, the employee's copy link, the batch zip.

Routes are plain ``def``: FastAPI runs them in its worker threads, so the PDF rendering and
the database work never block the event loop. This router is included before the
conversations router, whose ``/conversations/{id}/{step}`` would otherwise catch these paths.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import mail
from app.accounts.deps import Account, AdminDep, LeaderDep
from app.config import Settings
from app.conversations.planning import plan_view
from app.conversations.service import own_conversation
from app.db import SessionDep
from app.deps import NowDep, SettingsDep
from app.errors import N_, DomainError
from app.i18n import TIMEZONE, translate
from app.models import User
from app.observability import metrics
from app.overview import service as overview
from app.overview import views as overview_views
from app.records import audit, evaluation, exports, invitation, personal, preparation, share
from app.records.filenames import content_disposition
from app.records.labels import day_text, moment_text
from app.web import absolute_url, is_partial, path_for, render

router = APIRouter()
# Personal data: never kept by a browser or proxy cache.
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def _download(export: exports.Export) -> Response:
    """Always an attachment, the same name pattern for every format (records.filenames)."""
    return Response(
        export.data,
        media_type=export.media_type,
        headers={"Content-Disposition": content_disposition(export.filename), **PRIVATE},
    )


def _export(
    session: Session,
    leader: Account,
    conversation_id: int,
    fmt: exports.Format,
    settings: Settings,
    now: datetime,
) -> Response:
    export = exports.export_conversation(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        fmt=fmt,
        organisation=settings.organisation_name,
        now=now,
    )
    metrics.count_export(fmt)
    return _download(export)


@router.get("/conversations/{conversation_id}/export.pdf")
def records_pdf(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "pdf", settings, now)


@router.get("/conversations/{conversation_id}/agreements.pdf")
def records_agreements_pdf(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "agreements", settings, now)


@router.get("/conversations/{conversation_id}/export.md")
def records_markdown(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "md", settings, now)


@router.get("/conversations/{conversation_id}/export.docx")
def records_docx(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "docx", settings, now)


@router.get("/conversations/{conversation_id}/export.json")
def records_json(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "json", settings, now)


@router.get("/conversations/{conversation_id}/followup.ics")
def records_ics(
    conversation_id: int,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    return _export(session, leader, conversation_id, "ics", settings, now)


@router.get("/employees/{employee_id}/records.zip")
def records_employee_zip(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    export = exports.export_employee(
        session,
        leader_id=leader.id,
        employee_id=employee_id,
        organisation=settings.organisation_name,
        now=now,
        lang=str(request.state.lang),
    )
    metrics.count_export("records_zip")
    return _download(export)


# ---------------------------------------------------------------- the employee's copy


def _share_url(request: Request) -> Callable[[str], str]:
    return lambda token: absolute_url(request, "records_shared", token=token)


def _share_context(
    request: Request,
    session: Session,
    leader: Account,
    conversation_id: int,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    lang = str(request.state.lang)
    view = share.share_view(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        now=now,
        url_for_token=_share_url(request),
        qr_title=translate(lang, N_("QR code for the employee's copy")),
        email_enabled=settings.email_enabled,
    )
    until = moment_text(lang, view.expires_at) if view.expires_at else ""
    return {"s": view, "days": settings.share_link_days, "until": until}


@router.get("/conversations/{conversation_id}/share")
def records_share(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    response = _share_panel(request, session, leader, conversation_id, settings, now, changed=False)
    if not is_partial(request):
        # The page itself is a view of the record; the panel inside the summary step is part
        # of that step's view, already logged.
        audit.log_view(
            session,
            action="share_viewed",
            at=now,
            user_id=leader.id,
            conversation_id=conversation_id,
        )
    return response


def _share_panel(
    request: Request,
    session: Session,
    leader: Account,
    conversation_id: int,
    settings: Settings,
    now: datetime,
    *,
    changed: bool = True,
) -> Response:
    """The panel for htmx; the share page otherwise, after a change by a redirect to it."""
    page = path_for(request.app, "records_share", conversation_id=conversation_id)
    return render(
        request,
        "records/share.html",
        _share_context(request, session, leader, conversation_id, settings, now),
        block="share_area",
        page=page if changed else None,
        headers=PRIVATE,
    )


@router.post("/conversations/{conversation_id}/share")
def records_share_create(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    share.create_share(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        now=now,
        days=settings.share_link_days,
    )
    return _share_panel(request, session, leader, conversation_id, settings, now)


@router.post("/conversations/{conversation_id}/share/revoke")
def records_share_revoke(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    share.revoke_share(session, leader_id=leader.id, conversation_id=conversation_id, now=now)
    return _share_panel(request, session, leader, conversation_id, settings, now)


@router.post("/conversations/{conversation_id}/share/email")
def records_share_email(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A plain ``def``: smtplib blocks, so FastAPI runs this in a worker thread."""
    extra: dict[str, Any]
    try:
        sent_to = share.email_share(
            session,
            leader_id=leader.id,
            conversation_id=conversation_id,
            now=now,
            to=email,
            smtp=mail.SmtpConfig.from_settings(settings),
            url_for_token=_share_url(request),
        )
        extra, status = {"sent_to": sent_to}, 200
    except DomainError as problem:
        # Shown in the panel, beside the form, with the typed address kept: the panel sits at
        # the foot of a long page, far from the page's message area.
        extra, status = {"email_error": problem, "typed_email": email}, problem.status_code
    context = {**_share_context(request, session, leader, conversation_id, settings, now), **extra}
    return render(
        request,
        "records/share.html",
        context,
        block="share_area",
        status_code=status,
        headers=PRIVATE,
    )


GONE = {
    "expired": N_("This link has expired."),
    "revoked": N_("This link has been withdrawn."),
    "unknown": N_("This link does not work."),
}
GONE_HELP = N_(
    "Links to a copy of the conversation work for a short time only. Ask your leader for a "
    "new link, or for the record on paper."
)


def _gone(request: Request, reason: str) -> Response:
    # Both languages at once: the phone that opens the link may speak either.
    status = 404 if reason == "unknown" else 410
    messages = [
        {"lang": lang, "title": translate(lang, GONE[reason]), "help": translate(lang, GONE_HELP)}
        for lang in ("da", "en")
    ]
    return render(
        request,
        "records/share_gone.html",
        {"messages": messages, "status": status},
        status_code=status,
        headers=PRIVATE,
    )


@router.get("/r/{token}")
def records_shared(token: str, request: Request, session: SessionDep, now: NowDep) -> Response:
    try:
        link, conversation = share.use_share(session, token=token, now=now, action="share_opened")
    except share.ShareGone as gone:
        return _gone(request, gone.reason)
    leader = session.get(User, conversation.leader_id)
    lang = str(request.state.lang)
    return render(
        request,
        "records/shared.html",
        {
            "token": link.token,
            "leader_name": leader.name if leader else "",
            "conversation_day": day_text(lang, conversation.date.isoformat()),
            "until": moment_text(lang, share._aware(link.expires_at)),
        },
        headers=PRIVATE,
    )


@router.get("/r/{token}/record.pdf")
def records_shared_pdf(
    token: str, request: Request, session: SessionDep, settings: SettingsDep, now: NowDep
) -> Response:
    try:
        _, conversation = share.use_share(
            session, token=token, now=now, action="share_downloaded", format="pdf"
        )
    except share.ShareGone as gone:
        return _gone(request, gone.reason)
    export = exports.employee_copy(
        session, conversation, organisation=settings.organisation_name, now=now
    )
    metrics.count_export("employee_copy_pdf")
    return _download(export)


# ---------------------------------------------------------------- the audit log


FilterText = Annotated[str, Query(max_length=40)]


def _audit_filter(
    user: str, action: str, since: str, until: str
) -> tuple[audit.AuditFilter, DomainError | None]:
    try:
        return audit.audit_filter(user=user, action=action, since=since, until=until), None
    except DomainError as problem:
        return audit.AuditFilter(), problem


@router.get("/admin/audit")
def records_audit(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    before: Annotated[int | None, Query(ge=1)] = None,
    user: FilterText = "",
    action: FilterText = "",
    since: FilterText = "",
    until: FilterText = "",
) -> Response:
    """Admins only (DESIGN §6): the log is the history of who saw whose personal data.
    Filtered by person, action and days; the CSV link carries the same filter."""
    where, problem = _audit_filter(user, action, since, until)
    page = audit.latest_events(session, where=where, before=before)
    return render(
        request,
        "records/audit.html",
        {
            "page": page,
            "before": before,
            "page_size": audit.PAGE_SIZE,
            "where": where,
            "typed": {"user": user, "action": action, "since": since, "until": until},
            "error": problem,
            "people": audit.people(session),
            "actions": sorted(audit.ACTION_LABELS.items()),
            "filtered": where != audit.AuditFilter(),
        },
        status_code=problem.status_code if problem else 200,
        headers=PRIVATE,
    )


@router.get("/admin/audit.csv")
def records_audit_csv(
    session: SessionDep,
    admin: AdminDep,
    now: NowDep,
    user: FilterText = "",
    action: FilterText = "",
    since: FilterText = "",
    until: FilterText = "",
) -> Response:
    """The filtered log as CSV; that it was downloaded is itself in the log."""
    where = audit.audit_filter(user=user, action=action, since=since, until=until)
    data = audit.audit_csv(session, where=where)
    audit.log_audit_download(session, user_id=admin.id, at=now)
    name = f"audit-{now.astimezone(TIMEZONE).date().isoformat()}.csv"
    return _download(exports.Export(data, "text/csv; charset=utf-8", name))


# ---------------------------------------------------------------- one employee's personal data


@router.get("/admin/personal-data")
def records_personal_data_list(request: Request, session: SessionDep, admin: AdminDep) -> Response:
    """Every employee, for the admin answering a request for access or erasure."""
    return render(
        request,
        "records/personal_list.html",
        {"employees": personal.all_employees(session)},
        headers=PRIVATE,
    )


@router.get("/employees/{employee_id}/personal-data")
def records_personal_data(
    employee_id: int, request: Request, session: SessionDep, leader: LeaderDep
) -> Response:
    """Access and erasure for one employee: admins, and the employee's own leader."""
    view = personal.summary(
        session, user_id=leader.id, is_admin=leader.is_admin, employee_id=employee_id
    )
    return render(request, "records/personal.html", {"p": view}, headers=PRIVATE)


@router.get("/employees/{employee_id}/everything.zip")
def records_personal_data_zip(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    export = personal.export_everything(
        session,
        user_id=leader.id,
        is_admin=leader.is_admin,
        employee_id=employee_id,
        organisation=settings.organisation_name,
        now=now,
        lang=str(request.state.lang),
    )
    metrics.count_export("personal_data_zip")
    return _download(export)


@router.post("/employees/{employee_id}/erase")
def records_personal_data_erase(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        erased = personal.erase_employee(
            session,
            user_id=leader.id,
            is_admin=leader.is_admin,
            employee_id=employee_id,
            typed_name=name,
            now=now,
        )
    except DomainError as problem:
        view = personal.summary(
            session, user_id=leader.id, is_admin=leader.is_admin, employee_id=employee_id
        )
        return render(
            request,
            "records/personal.html",
            {"p": view, "error": problem},
            status_code=problem.status_code,
            headers=PRIVATE,
        )
    context = {"erased": erased, "erased_counts": personal.kind_counts(erased.rows)}
    return render(request, "records/erased.html", context, headers=PRIVATE)


# ---------------------------------------------------------------- the invitation (issue 15)


def _preparation_url(
    request: Request, session: Session, conversation_id: int, settings: Settings, now: datetime
) -> str | None:
    """The employee's live preparation link, for the invitation's description."""
    token = preparation.live_token(session, conversation_id, now, settings.secret_keys())
    return absolute_url(request, "preparation_page", token=token) if token else None


@router.get("/conversations/{conversation_id}/invitation.ics")
def records_invitation(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    found = invitation.invitation_for(
        session,
        leader_id=leader.id,
        conversation_id=conversation_id,
        base_url=settings.base_url,
        now=now,
        preparation_url=_preparation_url(request, session, conversation_id, settings, now),
    )
    return _download(found)


@router.post("/conversations/{conversation_id}/invitation/send")
def records_invitation_send(
    conversation_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    settings: SettingsDep,
    now: NowDep,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A plain ``def``: smtplib blocks, so FastAPI runs this in a worker thread. The answer is
    the invitation panel of the Start step, with what happened, beside the button."""
    context: dict[str, Any] = {"typed_email": email}
    status = 200
    try:
        context["sent_to"] = invitation.send_invitation(
            session,
            leader_id=leader.id,
            conversation_id=conversation_id,
            to=email,
            smtp=mail.SmtpConfig.from_settings(settings),
            base_url=settings.base_url,
            now=now,
            preparation_url=_preparation_url(request, session, conversation_id, settings, now),
        )
    except DomainError as problem:
        context["invitation_error"] = problem
        status = problem.status_code
    conversation = own_conversation(session, leader.id, conversation_id)
    context["plan"] = plan_view(session, conversation)
    context["mail_on"] = settings.smtp_host is not None
    context["c"] = {"id": conversation_id}
    return render(
        request,
        "conversations/invitation.html",
        context,
        block="invitation",
        status_code=status,
        page=path_for(
            request.app, "conversations_step", conversation_id=conversation_id, step="start"
        ),
        headers=PRIVATE,
    )


@router.get("/overview/report.pdf")
def records_overview_report(
    request: Request,
    session: SessionDep,
    user: LeaderDep,
    now: NowDep,
    period: Annotated[str, Query(max_length=200)] = "",
    team: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The management evaluation (issue 16): the overview's page for the same filters, as
    one A4 PDF; the same people may have it, under the same rule of five."""
    today = now.astimezone(TIMEZONE).date()
    lang: str = request.state.lang
    chosen = overview.parse_period(period, today=today)
    leader_view = not user.is_facilitator
    scope = overview.Scope(leader_id=None if user.is_facilitator else user.id)
    figures = overview.compute(session, scope=scope, period=chosen, today=today, lang=lang)
    page = overview_views.build(figures, team=team, today=today, lang=lang, leader_view=leader_view)
    pdf = evaluation.render_evaluation(page, lang=lang, now=now)
    overview.log_export(session, user_id=user.id, at=now, fmt="pdf")
    metrics.count_export("evaluation")
    name = f"{translate(lang, evaluation.WORDS['title'])} {chosen.code}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(name),
            **PRIVATE,
        },
    )
