"""A leader's own list of employees: name, optional e-mail and team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.models import Conversation, ConversationStatus, Employee, EmployeeEvent, User
from app.models.conversations import MAX_NAME, employee_name


@dataclass(frozen=True)
class Handover:
    """A line of the employee's history: moved from one leader to another (issue 14)."""

    at: datetime
    from_name: str
    to_name: str


@dataclass(frozen=True)
class EmployeeRow:
    id: int
    name: str
    email: str
    team: str
    conversations: int
    last_date: date | None
    history: tuple[Handover, ...] = ()


def _history(session: Session, employee_ids: list[int]) -> dict[int, list[Handover]]:
    """Each employee's handovers, oldest first, with the leaders' names."""
    if not employee_ids:
        return {}
    names = dict(session.exec(select(User.id, User.name)).all())
    found: dict[int, list[Handover]] = {}
    for event in session.exec(
        select(EmployeeEvent)
        .where(col(EmployeeEvent.employee_id).in_(employee_ids))
        .order_by(col(EmployeeEvent.at), col(EmployeeEvent.id))
    ):
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        found.setdefault(event.employee_id, []).append(
            Handover(
                at=at,
                from_name=names.get(event.from_user_id or 0, "?"),
                to_name=names.get(event.to_user_id or 0, "?"),
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
    employees = list(
        session.exec(
            select(Employee).where(Employee.leader_id == leader_id).order_by(col(Employee.name))
        )
    )
    history = _history(session, [e.id for e in employees if e.id is not None])
    return [
        EmployeeRow(
            id=e.id or 0,
            name=e.name,
            email=e.email,
            team=e.team,
            conversations=counts.get(e.id or 0, (0, None))[0],
            last_date=counts.get(e.id or 0, (0, None))[1],
            history=tuple(history.get(e.id or 0, ())),
        )
        for e in employees
    ]


@writes
def update_employee(
    session: Session, *, leader_id: int, employee_id: int, name: str, email: str, team: str
) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None or employee.leader_id != leader_id:
        raise NotFound()
    name, email, team = employee_name(name), email.strip(), " ".join(team.split())
    if len(team) > MAX_NAME:
        raise DomainError(N_("The name is too long."))
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise DomainError(N_("Enter a valid e-mail address."))
    for other in session.exec(
        select(Employee).where(Employee.leader_id == leader_id, Employee.id != employee_id)
    ):
        if other.name.casefold() == name.casefold():
            raise DomainError(N_("You already have an employee with that name."))
    employee.name, employee.email, employee.team = name, email, team
    session.add(employee)
    return employee
