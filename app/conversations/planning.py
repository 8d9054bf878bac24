"""Before the conversation (DESIGN §1, issue 15): a planned conversation is moved to another
day, time or place, cancelled with a reason, or deleted, as long as the pair has not begun.

"Begun" is the status: a conversation is planned until Start conversation, the first change
of step or the first card; from then on it is the record of a conversation that took place,
and only finishing it (or, for a finished one, reopening it) changes that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, update
from sqlmodel import Session, col

from app.conversations.service import check_day, check_meeting, own_conversation
from app.db import writes
from app.errors import N_, DomainError
from app.models import Agreement, AuditEvent, Conversation, ConversationStatus, Employee
from app.models.conversations import (
    MAX_CANCEL_REASON,
    MAX_DURATION_MINUTES,
    MAX_PLACE,
)

_NOT_PLANNED = {
    ConversationStatus.running: N_(
        "The conversation has started: it can no longer be moved, cancelled or deleted."
    ),
    ConversationStatus.completed: N_(
        "The conversation is finished: it can no longer be moved, cancelled or deleted."
    ),
    ConversationStatus.cancelled: N_("The conversation is cancelled already."),
}


def own_planned_conversation(
    session: Session, leader_id: int, conversation_id: int
) -> Conversation:
    """The leader's own conversation that has not begun; another leader's is a 404."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status != ConversationStatus.planned:
        raise DomainError(_NOT_PLANNED[ConversationStatus(conversation.status)], status_code=409)
    return conversation


def _audit(session: Session, conversation: Conversation, action: str, now: datetime) -> None:
    # The entry records.audit.log() would write; app.records stands above this area
    # (docs/architecture.md), so the table is written here directly. Ids only: never the
    # reason or the place.
    session.add(
        AuditEvent(
            at=now,
            user_id=conversation.leader_id,
            actor="user",
            action=action,
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
        )
    )


@writes
def move_conversation(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    on: date,
    starts_at: time | None,
    duration_minutes: int | None,
    place: str,
    today: date,
) -> Conversation:
    """A new day, time, length or place for a planned conversation. ``today`` is the day in
    Copenhagen: a meeting cannot be moved to a day that has passed there. Every change makes
    the invitation's SEQUENCE one higher, so a calendar that has the event updates it; a move
    that changes nothing (a double tap) changes nothing."""
    conversation = own_planned_conversation(session, leader_id, conversation_id)
    check_day(on)
    if on < today:
        raise DomainError(N_("The day has passed: choose today or a later day."))
    meeting = check_meeting(starts_at=starts_at, duration_minutes=duration_minutes, place=place)
    before = (
        conversation.date,
        conversation.starts_at,
        conversation.duration_minutes,
        conversation.place,
    )
    after = (on, meeting.starts_at, meeting.duration_minutes, meeting.place)
    if before == after:
        return conversation
    if conversation.follow_up_date is not None and on != conversation.date:
        # The follow-up was set from the old day: it keeps its distance to the conversation.
        conversation.follow_up_date = conversation.follow_up_date + (on - conversation.date)
        check_day(conversation.follow_up_date)
    conversation.date = on
    conversation.starts_at = meeting.starts_at
    conversation.duration_minutes = meeting.duration_minutes
    conversation.place = meeting.place
    conversation.invitation_sequence += 1
    session.add(conversation)
    return conversation


@writes
def cancel_conversation(
    session: Session, *, leader_id: int, conversation_id: int, reason: str, now: datetime
) -> Conversation:
    """Cancelled, with the reason, and kept: it shows as cancelled on the leader's list and in
    the employee's history, and can no longer be started or exported. In the audit log."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status == ConversationStatus.cancelled:
        return conversation  # a double tap
    own_planned_conversation(session, leader_id, conversation_id)
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("Write why the conversation is cancelled."))
    if len(reason) > MAX_CANCEL_REASON:
        raise DomainError(
            N_("The reason is too long: at most %(limit)d characters."), limit=MAX_CANCEL_REASON
        )
    conversation.status = ConversationStatus.cancelled
    conversation.cancelled_at = now
    conversation.cancel_reason = reason
    # A cancellation must outrank every invitation sent before it (RFC 5546 §3.2.5).
    conversation.invitation_sequence += 1
    session.add(conversation)
    _audit(session, conversation, "cancel", now)
    return conversation


@writes
def delete_conversation(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime
) -> int:
    """Deleted before it began (planned) or after it was cancelled: nothing of a conversation
    that took place is ever deleted here. Its rows go with it (the tables' ON DELETE CASCADE);
    an earlier agreement reviewed at its Start step keeps its review but no longer points
    here. The employee stays. In the audit log. Returns the employee's id."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status not in (ConversationStatus.planned, ConversationStatus.cancelled):
        raise DomainError(_NOT_PLANNED[ConversationStatus(conversation.status)], status_code=409)
    employee_id = conversation.employee_id
    _audit(session, conversation, "delete", now)
    session.execute(
        update(Agreement)
        .where(col(Agreement.reviewed_in_id) == conversation_id)
        .values(reviewed_in_id=None)
    )
    session.flush()
    session.expunge(conversation)
    session.execute(delete(Conversation).where(col(Conversation.id) == conversation_id))
    return employee_id


# ---------------------------------------------------------------- what the pages show


@dataclass(frozen=True)
class PlanView:
    """A conversation's meeting as the Start step, the move page and the cancel page show it."""

    id: int
    employee_name: str
    date: date
    starts_at: time | None
    duration_minutes: int
    place: str
    status: str
    is_planned: bool
    is_cancelled: bool
    cancel_reason: str
    cancelled_at: datetime | None
    employee_email: str
    max_place: int = MAX_PLACE
    max_reason: int = MAX_CANCEL_REASON
    max_duration: int = MAX_DURATION_MINUTES


def plan_view(session: Session, conversation: Conversation) -> PlanView:
    employee = session.get(Employee, conversation.employee_id)
    return PlanView(
        id=conversation.id or 0,
        employee_name=employee.name if employee else "",
        date=conversation.date,
        starts_at=conversation.starts_at,
        duration_minutes=conversation.duration_minutes,
        place=conversation.place,
        status=conversation.status,
        is_planned=conversation.status == ConversationStatus.planned,
        is_cancelled=conversation.status == ConversationStatus.cancelled,
        cancel_reason=conversation.cancel_reason,
        cancelled_at=conversation.cancelled_at,
        employee_email=employee.email if employee else "",
    )


def move_view(session: Session, conversation: Conversation) -> dict[str, object]:
    """The move (and cancel) page: the meeting as it is, and the form filled with it."""
    plan = plan_view(session, conversation)
    return {
        "plan": plan,
        "form": {
            "date": plan.date.isoformat(),
            "time": plan.starts_at.strftime("%H:%M") if plan.starts_at else "",
            "duration": str(plan.duration_minutes),
            "place": plan.place,
        },
    }
