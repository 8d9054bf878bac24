"""The audit log (DESIGN §4, §6): every export and every use of a share link. It records who,
what and when, with ids only: never a word of the conversation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.db import writes
from app.errors import N_, DomainError
from app.i18n import TIMEZONE
from app.models import AuditEvent, Conversation, User

# How many events the admin's page shows at a time; older ones are a link away.
PAGE_SIZE = 200

# What each action means, for the admin reading the log (msgids, translated where shown).
ACTION_LABELS = {
    "export": N_("Exported a record"),
    "batch_export": N_("Exported all records of an employee (zip)"),
    "share_created": N_("Made a link for the employee"),
    "share_revoked": N_("Withdrew the employee's link"),
    "share_email": N_("Sent the employee's link by e-mail"),
    "share_opened": N_("Opened the employee's link"),
    "share_downloaded": N_("Downloaded the record through the link"),
    "share_refused_expired": N_("Refused: the link had expired"),
    "share_refused_revoked": N_("Refused: the link had been withdrawn"),
    # Written by app.records.preparation (issue 15): ids only, never a topic or a note.
    "preparation_link_created": N_("Made a preparation link for the employee"),
    "preparation_link_revoked": N_("Withdrew the employee's preparation link"),
    "preparation_viewed": N_("Opened the employee's preparation page"),
    # Written by conversations.service.reopen_conversation() and open_step().
    "reopen": N_("Reopened a finished conversation for corrections"),
    # Written by conversations.planning and records.invitation (issue 15).
    "cancel": N_("Cancelled a planned conversation"),
    "delete": N_("Deleted a planned conversation"),
    "invitation_sent": N_("Sent the invitation to the employee by e-mail"),
    # Account actions, written by app.admin.service (issue 14).
    "user_invited": N_("Invited a user"),
    "invite_accepted": N_("Accepted an invitation and chose a password"),
    "role_changed": N_("Changed a user's role"),
    "user_deactivated": N_("Deactivated a user"),
    "user_reactivated": N_("Reactivated a user"),
    "reset_link_made": N_("Made a password reset link"),
    "reset_requested": N_("Asked for a password reset link (Forgot password?)"),
    "password_set_by_link": N_("Chose a new password through a reset link"),
    "handover": N_("Handed an employee over to another leader"),
    # Written by app.employees.service.merge_employees() (issue 15).
    "employee_merge": N_("Merged a duplicate into this employee"),
    "employee_merged_away": N_("Merged this employee into another and removed the duplicate"),
    # Two-step login, written by app.accounts.two_step (issue 14).
    "two_step_on": N_("Turned on two-step login"),
    "two_step_off": N_("Turned off two-step login"),
    "recovery_code_used": N_("Logged in with a recovery code"),
    "two_step_reset": N_("Reset a user's two-step login"),
    "view": N_("Viewed a conversation"),
    "audit_export": N_("Downloaded the audit log"),
    "access_export": N_("Downloaded everything stored about an employee"),
    "erasure": N_("Erased an employee and everything stored about them"),
    "share_viewed": N_("Viewed the page with the employee's link"),
    # Written by app.overview.service.log_export(): anonymous figures, but an export all the same.
    "overview_export": N_("Downloaded the organisation overview (CSV)"),
    "overview_report": N_("Downloaded the management evaluation (PDF)"),
    # Written by app.records.reminders (`arbejdsglaede remind`, issue 16): the leader as subject.
    "reminder_sent": N_("E-mailed a leader the daily list of what is due"),
}


def log(
    session: Session,
    *,
    action: str,
    at: datetime,
    user_id: int | None = None,
    conversation_id: int | None = None,
    employee_id: int | None = None,
    share_id: int | None = None,
    format: str = "",
) -> AuditEvent:
    """Add an entry; the caller's transaction commits it with whatever it did."""
    event = AuditEvent(
        at=at,
        user_id=user_id,
        actor="user" if user_id is not None else "share_link",
        action=action,
        format=format,
        conversation_id=conversation_id,
        employee_id=employee_id,
        share_id=share_id,
    )
    session.add(event)
    return event


@writes
def log_view(
    session: Session, *, action: str, at: datetime, user_id: int, conversation_id: int
) -> None:
    """A page that only reads, logged in its own small write transaction: one INSERT. The
    conversation was loaded (and its owner checked) by the page, so it comes from the
    session's identity map, not the database."""
    conversation = session.get(Conversation, conversation_id)
    log(
        session,
        action=action,
        at=at,
        user_id=user_id,
        conversation_id=conversation_id,
        employee_id=conversation.employee_id if conversation else None,
    )


@writes
def log_audit_download(session: Session, *, user_id: int, at: datetime) -> None:
    log(session, action="audit_export", at=at, user_id=user_id, format="csv")


def events_for(session: Session, conversation_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.conversation_id == conversation_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
    )


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user_name: str | None  # None: the employee through a share link
    user_id: int | None
    action: str
    action_label: str  # a msgid, or the raw action when it has no label
    format: str
    conversation_id: int | None
    employee_id: int | None
    address: str
    # "anonymous": someone not logged in, e.g. "Forgot password?" on the login page.
    actor: str = "user"


@dataclass(frozen=True)
class AuditFilter:
    """What the admin narrowed the log to: a person, an action, a range of days (Copenhagen
    time, both days included). Empty: everything."""

    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def query_string(self, **extra: int) -> str:
        """The filter as query parameters, for the next page and the CSV link."""
        values = {
            "user": self.user_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            **extra,
        }
        return urlencode({k: v for k, v in values.items() if v is not None})

    def where(self, query: SelectOfScalar[Any]) -> SelectOfScalar[Any]:
        if self.user_id is not None:
            query = query.where(col(AuditEvent.user_id) == self.user_id)
        if self.action is not None:
            query = query.where(col(AuditEvent.action) == self.action)
        if self.since is not None:
            query = query.where(col(AuditEvent.at) >= _midnight(self.since))
        if self.until is not None:
            query = query.where(col(AuditEvent.at) < _midnight(self.until + timedelta(days=1)))
        return query


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=TIMEZONE).astimezone(UTC)


def _day(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise DomainError(N_("Enter a date as day, month and year.")) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DomainError(N_("Enter a date between the years 2000 and 2100."))
    return day


# Dates outside these are typing mistakes (and the year 9999 overflows a time zone's sums).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def audit_filter(
    *, user: str = "", action: str = "", since: str = "", until: str = ""
) -> AuditFilter:
    """The filter from the page's query parameters; an unknown person or action finds
    nothing, a date that is not one is refused with a message."""
    user = user.strip()
    first, last = _day(since), _day(until)
    if first and last and first > last:
        raise DomainError(N_("The first day comes after the last day."))
    return AuditFilter(
        user_id=int(user) if user.isdigit() and len(user) < 19 else None,
        action=action.strip()[:40] or None,
        since=first,
        until=last,
    )


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    older_than: int | None  # the cursor for the next, older page; None on the last page


def _rows(found: list[tuple[AuditEvent, str | None]]) -> list[AuditRow]:
    return [
        AuditRow(
            id=event.id or 0,
            at=event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC),
            user_name=name if event.user_id is not None else None,
            user_id=event.user_id,
            action=event.action,
            action_label=ACTION_LABELS.get(event.action, event.action),
            format=event.format,
            conversation_id=event.conversation_id,
            employee_id=event.employee_id,
            actor=event.actor,
            address=event.address,
        )
        for event, name in found
    ]


def _query(where: AuditFilter) -> SelectOfScalar[Any]:
    query = select(AuditEvent, User.name).join(
        User, col(User.id) == col(AuditEvent.user_id), isouter=True
    )
    return where.where(query).order_by(col(AuditEvent.id).desc())  # type: ignore[arg-type]


def latest_events(
    session: Session,
    *,
    where: AuditFilter | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """The newest events first, with the acting user's name: who looked at whose records.
    Paged by id, which grows with every entry, so a page does not shift while events arrive."""
    query = _query(where or AuditFilter()).limit(limit + 1)
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    found = list(session.exec(query))
    rows = _rows(found[:limit])
    return AuditPage(rows=rows, older_than=rows[-1].id if len(found) > limit else None)


@dataclass(frozen=True)
class Person:
    id: int
    name: str


def people(session: Session) -> list[Person]:
    """Everyone who can appear in the log as its actor, for the filter's choice."""
    return [
        Person(id=user.id or 0, name=user.name)
        for user in session.exec(select(User).order_by(col(User.name), col(User.id)))
    ]


CSV_COLUMNS = (
    "id",
    "at",
    "user_id",
    "user_name",
    "actor",
    "action",
    "detail",
    "conversation_id",
    "employee_id",
    "address",
)


def audit_csv(session: Session, *, where: AuditFilter, batch: int = 1000) -> bytes:
    """The filtered log as UTF-8 CSV (a BOM, so that Excel reads æøå; semicolons, as the
    Danish Excel expects; a header row), newest first. Ids, actions and addresses only: the
    log holds no word of any conversation, and neither does this."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    before: int | None = None
    while True:
        page = latest_events(session, where=where, before=before, limit=batch)
        for row in page.rows:
            writer.writerow(
                [
                    row.id,
                    row.at.astimezone(UTC).isoformat(),
                    row.user_id if row.user_id is not None else "",
                    _cell(row.user_name or ""),
                    "user" if row.user_id is not None else "share_link",
                    row.action,
                    _cell(row.format),
                    row.conversation_id or "",
                    row.employee_id or "",
                    row.address,
                ]
            )
        if page.older_than is None:
            return buffer.getvalue().encode("utf-8")
        before = page.older_than


def _cell(value: str) -> str:
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
