"""A leader's own list of employees: name, optional e-mail and team; adding one without a
conversation, and merging two that turned out to be the same person (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.models import AuditEvent, Conversation, ConversationStatus, Employee, EmployeeEvent, User
from app.models.conversations import MAX_NAME, employee_name

HANDOVER = "handover"
MERGE = "merge"
# The audit log's actions for a merge: one entry about the kept employee, one about the
# removed duplicate, so a search for either id finds it (labels in app.records.audit).
MERGE_KEPT = "employee_merge"
MERGE_REMOVED = "employee_merged_away"
# The largest id a database column holds: a larger number names nothing.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class HistoryEvent:
    """A line of the employee's history that is not a conversation: moved from one leader to
    another (issue 14), or merged with a duplicate of the same person."""

    at: datetime
    kind: str
    from_name: str = ""
    to_name: str = ""
    merged_name: str = ""


@dataclass(frozen=True)
class EmployeeRow:
    id: int
    name: str
    email: str
    team: str
    conversations: int
    last_date: date | None
    history: tuple[HistoryEvent, ...] = ()


def _aware(moment: datetime) -> datetime:
    # A column without a time zone may come back without one: it holds UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def history(session: Session, employee_ids: list[int]) -> dict[int, list[HistoryEvent]]:
    """Each employee's handovers and merges, oldest first, with the leaders' names."""
    if not employee_ids:
        return {}
    names = dict(session.exec(select(User.id, User.name)).all())
    found: dict[int, list[HistoryEvent]] = {}
    for event in session.exec(
        select(EmployeeEvent)
        .where(col(EmployeeEvent.employee_id).in_(employee_ids))
        .order_by(col(EmployeeEvent.at), col(EmployeeEvent.id))
    ):
        found.setdefault(event.employee_id, []).append(
            HistoryEvent(
                at=_aware(event.at),
                kind=event.kind,
                from_name=names.get(event.from_user_id or 0, "?"),
                to_name=names.get(event.to_user_id or 0, "?"),
                merged_name=event.detail,
            )
        )
    return found


def employee_rows(session: Session, *, leader_id: int) -> list[EmployeeRow]:
    counts: dict[int, tuple[int, date | None]] = {
        employee_id: (n, last)
        for employee_id, n, last in session.exec(
            select(Conversation.employee_id, func.count(), func.max(Conversation.date))
            .where(Conversation.leader_id == leader_id)
            # A cancelled conversation was never held: it is on the leader's list, not counted.
            .where(Conversation.status != ConversationStatus.cancelled)
            .group_by(col(Conversation.employee_id))
        )
    }
    employees = own_employees(session, leader_id=leader_id)
    events = history(session, [e.id for e in employees if e.id is not None])
    return [
        EmployeeRow(
            id=e.id or 0,
            name=e.name,
            email=e.email,
            team=e.team,
            conversations=counts.get(e.id or 0, (0, None))[0],
            last_date=counts.get(e.id or 0, (0, None))[1],
            history=tuple(events.get(e.id or 0, ())),
        )
        for e in employees
    ]


def own_employees(session: Session, *, leader_id: int) -> list[Employee]:
    return list(
        session.exec(
            select(Employee).where(Employee.leader_id == leader_id).order_by(col(Employee.name))
        )
    )


def own_employee(session: Session, leader_id: int, employee_id: int) -> Employee:
    """The leader's own employee; someone else's, or none, is the same 404."""
    employee = session.get(Employee, employee_id) if 0 < employee_id <= MAX_ID else None
    if employee is None or employee.leader_id != leader_id:
        raise NotFound()
    return employee


def _details(email: str, team: str) -> tuple[str, str]:
    email, team = email.strip(), " ".join(team.split())
    if len(team) > MAX_NAME:
        raise DomainError(N_("The name is too long."))
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise DomainError(N_("Enter a valid e-mail address."))
    return email, team


def _check_name_free(
    session: Session, *, leader_id: int, name: str, employee_id: int | None = None
) -> None:
    """One name per person: a second employee with the same name is the typo a merge mends."""
    for other in own_employees(session, leader_id=leader_id):
        if other.id != employee_id and other.name.casefold() == name.casefold():
            raise DomainError(N_("You already have an employee with that name."))


@writes
def add_employee(
    session: Session, *, leader_id: int, name: str, email: str = "", team: str = ""
) -> Employee:
    """An employee without a conversation yet; the name is required and unique to the leader."""
    name = employee_name(name)
    email, team = _details(email, team)
    _check_name_free(session, leader_id=leader_id, name=name)
    employee = Employee(leader_id=leader_id, name=name, email=email, team=team)
    session.add(employee)
    session.flush()
    return employee


@writes
def update_employee(
    session: Session, *, leader_id: int, employee_id: int, name: str, email: str, team: str
) -> Employee:
    employee = own_employee(session, leader_id, employee_id)
    name = employee_name(name)
    email, team = _details(email, team)
    _check_name_free(session, leader_id=leader_id, name=name, employee_id=employee_id)
    employee.name, employee.email, employee.team = name, email, team
    session.add(employee)
    return employee


def _running(session: Session, employee_ids: list[int]) -> bool:
    return (
        session.exec(
            select(Conversation.id).where(
                col(Conversation.employee_id).in_(employee_ids),
                Conversation.status == ConversationStatus.running,
            )
        ).first()
        is not None
    )


def check_merge(session: Session, *, leader_id: int, employee_id: int, into_id: int) -> Employee:
    """The rules of a merge, checked before the confirmation is shown and again when it is
    made: the kept employee is the leader's own (404 otherwise), another person than the one
    merged into them, and neither is in a running conversation. Returns the kept one."""
    own_employee(session, leader_id, employee_id)
    if into_id == employee_id:
        raise DomainError(
            N_("Choose another employee: an employee cannot be merged with themself.")
        )
    kept = own_employee(session, leader_id, into_id)
    if _running(session, [employee_id, into_id]):
        raise DomainError(
            N_(
                "One of them is in a conversation that is still running. Finish it first, "
                "then merge them."
            ),
            status_code=409,
        )
    return kept


@writes
def merge_employees(
    session: Session, *, leader_id: int, employee_id: int, into_id: int, now: datetime
) -> Employee:
    """Merge the employee into another of the leader's employees, the same person typed twice.
    Every conversation (with its cards, notes and agreements) and every history line moves to
    the kept one; the kept one's e-mail and team stay unless empty; the duplicate is deleted.
    The history and the audit log say it happened."""
    kept = check_merge(session, leader_id=leader_id, employee_id=employee_id, into_id=into_id)
    removed = own_employee(session, leader_id, employee_id)
    for conversation in session.exec(
        select(Conversation).where(Conversation.employee_id == employee_id)
    ):
        conversation.employee_id = into_id
        session.add(conversation)
    for event in session.exec(
        select(EmployeeEvent).where(EmployeeEvent.employee_id == employee_id)
    ):
        event.employee_id = into_id
        session.add(event)
    kept.email = kept.email or removed.email
    kept.team = kept.team or removed.team
    session.add(kept)
    session.add(
        EmployeeEvent(
            employee_id=into_id,
            at=now,
            kind=MERGE,
            by_user_id=leader_id,
            detail=removed.name,
        )
    )
    # The entries records.audit.log() would write; app.records stands above this area
    # (docs/architecture.md), so the table is written here directly. Ids only, no names.
    for action, about in ((MERGE_KEPT, into_id), (MERGE_REMOVED, employee_id)):
        session.add(
            AuditEvent(at=now, user_id=leader_id, actor="user", action=action, employee_id=about)
        )
    # The moves first: the duplicate's rows must point elsewhere before it goes.
    session.flush()
    session.delete(removed)
    return kept
