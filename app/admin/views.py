"""What the admin's pages show: the users with their state, and the handover form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import N_
from app.models import Conversation, Employee, Role, TwoStep, User

ROLE_LABELS = {
    Role.leader: N_("Leader"),
    Role.facilitator: N_("Facilitator"),
    Role.admin: N_("Administrator"),
}
STATE_LABELS = {
    "active": N_("Active"),
    "deactivated": N_("Deactivated"),
    "invited": N_("Invited, not yet accepted"),
}


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    role: str
    last_login_at: datetime | None
    state: str  # active | deactivated | invited
    is_self: bool
    two_step: bool = False  # two-step login is on: another admin may reset it

    @property
    def can_reset_two_step(self) -> bool:
        return self.two_step and not self.is_self

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_active(self) -> bool:
        return self.state != "deactivated"

    @property
    def can_deactivate(self) -> bool:
        return self.is_active and not self.is_self

    @property
    def link_label(self) -> str:
        return N_("New invitation link") if self.state == "invited" else N_("Password reset link")


def _state(user: User) -> str:
    if not user.is_active:
        return "deactivated"
    return "invited" if user.is_invited else "active"


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and not moment.tzinfo else moment


def user_rows(session: Session, *, me: int) -> list[UserRow]:
    """Every user, by name: the admin's list (DESIGN §7)."""
    users = session.exec(select(User).order_by(col(User.name), col(User.id)))
    with_two_step = set(
        session.exec(select(TwoStep.user_id).where(col(TwoStep.enabled_at).is_not(None)))
    )
    return [
        UserRow(
            id=user.id or 0,
            name=user.name,
            email=user.email,
            role=user.role,
            last_login_at=_aware(user.last_login_at),
            state=_state(user),
            is_self=user.id == me,
            two_step=user.id in with_two_step,
        )
        for user in users
    ]


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    detail: str = ""


@dataclass(frozen=True)
class EmployeeChoice:
    id: int
    name: str
    team: str
    conversations: int


@dataclass(frozen=True)
class HandoverView:
    # Leaders who have employees to hand over, with how many.
    sources: list[Choice]
    # Active users who can take them (leaders, facilitators and admins may all lead).
    targets: list[Choice]
    source: Choice | None
    employees: list[EmployeeChoice]


def handover_view(session: Session, *, from_leader_id: int | None) -> HandoverView:
    counts = dict(
        session.exec(
            select(Employee.leader_id, func.count()).group_by(col(Employee.leader_id))
        ).all()
    )
    users = list(session.exec(select(User).order_by(col(User.name), col(User.id))))
    sources = [
        Choice(id=u.id or 0, name=u.name, detail=u.email) for u in users if counts.get(u.id or 0)
    ]
    source = next((c for c in sources if c.id == from_leader_id), None)
    targets = [
        Choice(id=u.id or 0, name=u.name, detail=u.email)
        for u in users
        if u.is_active and not u.is_invited and u.id != from_leader_id
    ]
    employees: list[EmployeeChoice] = []
    if source is not None:
        held = dict(
            session.exec(
                select(Conversation.employee_id, func.count())
                .join(Employee, col(Employee.id) == col(Conversation.employee_id))
                .where(Employee.leader_id == source.id)
                .group_by(col(Conversation.employee_id))
            ).all()
        )
        employees = [
            EmployeeChoice(
                id=e.id or 0, name=e.name, team=e.team, conversations=held.get(e.id or 0, 0)
            )
            for e in session.exec(
                select(Employee).where(Employee.leader_id == source.id).order_by(col(Employee.name))
            )
        ]
    return HandoverView(sources=sources, targets=targets, source=source, employees=employees)
