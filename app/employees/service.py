"""A leader's own list of employees: name, optional e-mail and team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.models import Conversation, Employee
from app.models.conversations import MAX_NAME, employee_name


@dataclass(frozen=True)
class EmployeeRow:
    id: int
    name: str
    email: str
    team: str
    conversations: int
    last_date: date | None


def employee_rows(session: Session, *, leader_id: int) -> list[EmployeeRow]:
    counts: dict[int, tuple[int, date | None]] = {
        employee_id: (n, last)
        for employee_id, n, last in session.exec(
            select(Conversation.employee_id, func.count(), func.max(Conversation.date))
            .where(Conversation.leader_id == leader_id)
            .group_by(col(Conversation.employee_id))
        )
    }
    employees = session.exec(
        select(Employee).where(Employee.leader_id == leader_id).order_by(col(Employee.name))
    )
    return [
        EmployeeRow(
            id=e.id or 0,
            name=e.name,
            email=e.email,
            team=e.team,
            conversations=counts.get(e.id or 0, (0, None))[0],
            last_date=counts.get(e.id or 0, (0, None))[1],
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
