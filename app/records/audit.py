"""The audit log (DESIGN §4, §6): every export and every use of a share link. It records who,
what and when, with ids only: never a word of the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.db import writes
from app.errors import N_
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
    # Written by conversations.service.reopen_conversation() and open_step().
    "reopen": N_("Reopened a finished conversation for corrections"),
    "view": N_("Viewed a conversation"),
    "share_viewed": N_("Viewed the page with the employee's link"),
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


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    older_than: int | None  # the cursor for the next, older page; None on the last page


def latest_events(
    session: Session, *, before: int | None = None, limit: int = PAGE_SIZE
) -> AuditPage:
    """The newest events first, with the acting user's name: who looked at whose records.
    Paged by id, which grows with every entry, so a page does not shift while events arrive."""
    query = (
        select(AuditEvent, User.name)
        .join(User, col(User.id) == col(AuditEvent.user_id), isouter=True)
        .order_by(col(AuditEvent.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(col(AuditEvent.id) < before)
    found = list(session.exec(query))
    rows = [
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
        )
        for event, name in found[:limit]
    ]
    return AuditPage(rows=rows, older_than=rows[-1].id if len(found) > limit else None)
