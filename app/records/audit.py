"""The audit log (DESIGN §4, §6): every export and every use of a share link. It records who,
what and when, with ids only: never a word of the conversation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.models import AuditEvent


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


def events_for(session: Session, conversation_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.conversation_id == conversation_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        )
    )
