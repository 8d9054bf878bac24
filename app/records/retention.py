"""Retention (DESIGN §6): conversations older than their retention go with everything that
belongs to them, and so do audit entries older than theirs; `arbejdsglaede purge` runs it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.accounts import sessions
from app.admin.service import purge_reset_requests
from app.conversations.service import add_months
from app.db import write_transaction
from app.i18n import TIMEZONE
from app.models import AuditEvent, Conversation, Employee
from app.records import personal

# The database's trigger refuses to delete an audit entry younger than its retention, by the
# database's own clock (migration 0010); a day's margin keeps a clock a little ahead of the
# database's from failing the whole purge on an entry at the very edge.
AUDIT_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Purge:
    """What a purge deleted (or, dry, would delete): rows per kind, oldest kept dates."""

    counts: dict[str, int]
    conversations_before: str  # ISO date: conversations held before this day
    audit_before: str  # ISO date-time: audit entries made before this moment

    def lines(self) -> list[str]:
        return [f"{kind}: {n}" for kind, n in self.counts.items()]


class _DryRun(Exception):
    """Raised inside the purge's transaction to roll it back after counting."""


def purge(
    session: Session,
    *,
    now: datetime,
    conversation_years: int,
    audit_years: int,
    session_limits: sessions.Limits | None = None,
    dry_run: bool = False,
) -> Purge:
    """Deletes what is due, in one transaction. A dry run does exactly the same and rolls it
    back, so it reports what a real run would delete, and deletes nothing."""
    today = now.astimezone(TIMEZONE).date()
    first_kept_day = add_months(today, -12 * conversation_years)
    audit_cutoff = (
        datetime.combine(add_months(now.astimezone(UTC).date(), -12 * audit_years), time(), UTC)
        - AUDIT_MARGIN
    )
    result: dict[str, int] = {}
    try:
        with write_transaction(session):
            result = _purge(session, first_kept_day, audit_cutoff)
            if session_limits is not None:
                # A login session names who was logged in from which address: kept no longer
                # than it can be used.
                result["sessions"] = sessions.purge_sessions(
                    session, now=now, limits=session_limits
                )
            result["reset_requests"] = purge_reset_requests(session, now=now)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    return Purge(
        counts=result,
        conversations_before=first_kept_day.isoformat(),
        audit_before=audit_cutoff.isoformat(),
    )


def _purge(session: Session, first_kept_day: date, audit_cutoff: datetime) -> dict[str, int]:
    due = set(session.exec(select(Conversation.id).where(col(Conversation.date) < first_kept_day)))
    counts = {"conversations": 0}
    images = 0
    if due:
        erased = personal.delete_owned(
            session, personal.owned_rows(session, {"conversations": due})
        )
        counts.update(erased.rows)
        images = erased.images
    # An employee whose every conversation is gone, and who was added before the first kept
    # day, has nothing left to be kept for: the name goes too.
    with_conversations = select(Conversation.employee_id).distinct()
    gone = set(
        session.exec(
            select(Employee.id)
            .where(col(Employee.id).not_in(with_conversations))
            .where(col(Employee.created_at) < datetime.combine(first_kept_day, time(), UTC))
        )
    )
    employees = 0
    if gone:
        erased = personal.delete_owned(session, personal.owned_rows(session, {"employees": gone}))
        employees = erased.rows.get("employees", 0)
        images += erased.images
    counts["employees"] = employees
    counts["images"] = images
    old_audit = session.exec(
        select(func.count()).select_from(AuditEvent).where(col(AuditEvent.at) < audit_cutoff)
    ).one()
    if old_audit:
        session.execute(delete(AuditEvent).where(col(AuditEvent.at) < audit_cutoff))
    counts["audit_events"] = int(old_audit)
    return counts
