"""What the employee's page shows: the person, their conversations, their history, the cards
they chose over the years side by side, and every agreement with how it went (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.employees.service import HistoryEvent, check_merge, history, own_employee, own_employees
from app.errors import DomainError
from app.media.service import VariantRef, variants_of
from app.models import Agreement, Conversation, ConversationStatus, Employee, Pick
from app.models.conversations import ROWS, STATUS_ROW, RowInfo


@dataclass(frozen=True)
class PickThumb:
    title: str
    thumb: VariantRef | None


@dataclass(frozen=True)
class TimelineRow:
    info: RowInfo
    picks: tuple[PickThumb, ...]


@dataclass(frozen=True)
class TimelineColumn:
    conversation_id: int
    date: date
    status: tuple[PickThumb, ...]
    rows: tuple[TimelineRow, ...]


@dataclass(frozen=True)
class ConversationLine:
    id: int
    date: date
    status: str
    is_finished: bool
    kind: str = "mus"


@dataclass(frozen=True)
class AgreementLine:
    text: str
    owner: str
    due: date | None
    status: str
    comment: str
    reviewed_in: ConversationLine | None


@dataclass(frozen=True)
class AgreementGroup:
    conversation: ConversationLine
    agreements: tuple[AgreementLine, ...]


@dataclass(frozen=True)
class EmployeePage:
    employee: Employee
    conversations: tuple[ConversationLine, ...]  # newest first
    events: tuple[HistoryEvent, ...]  # oldest first
    timeline: tuple[TimelineColumn, ...]  # newest first, only conversations with cards
    agreements: tuple[AgreementGroup, ...]  # newest conversation first
    can_merge: bool


def _line(conversation: Conversation) -> ConversationLine:
    return ConversationLine(
        id=conversation.id or 0,
        date=conversation.date,
        status=conversation.status,
        is_finished=conversation.status == ConversationStatus.completed,
        kind=conversation.kind,
    )


def employee_page(session: Session, *, leader_id: int, employee_id: int, lang: str) -> EmployeePage:
    employee = own_employee(session, leader_id, employee_id)
    conversations = list(
        session.exec(
            select(Conversation)
            .where(Conversation.employee_id == employee_id)
            .order_by(col(Conversation.date).desc(), col(Conversation.id).desc())
        )
    )
    lines = {c.id or 0: _line(c) for c in conversations}
    ids = list(lines)
    picks = (
        list(
            session.exec(
                select(Pick)
                .where(col(Pick.conversation_id).in_(ids), col(Pick.removed).is_(False))
                .order_by(col(Pick.position), col(Pick.id))
            )
        )
        if ids
        else []
    )
    variants = variants_of(session, {p.image_sha256 for p in picks})
    by_place: dict[tuple[int, str], list[PickThumb]] = {}
    for pick in picks:
        found = variants.get(pick.image_sha256)
        by_place.setdefault((pick.conversation_id, pick.row), []).append(
            PickThumb(title=pick.title(lang), thumb=found[0] if found else None)
        )
    timeline = tuple(
        TimelineColumn(
            conversation_id=c.id or 0,
            date=c.date,
            status=tuple(by_place.get((c.id or 0, STATUS_ROW), ())),
            rows=tuple(
                TimelineRow(info=info, picks=tuple(by_place.get((c.id or 0, info.row), ())))
                for info in ROWS
            ),
        )
        for c in conversations
        if any(place[0] == c.id for place in by_place)
    )
    agreements = (
        list(
            session.exec(
                select(Agreement)
                .where(col(Agreement.conversation_id).in_(ids), col(Agreement.deleted_at).is_(None))
                .order_by(col(Agreement.position), col(Agreement.id))
            )
        )
        if ids
        else []
    )
    grouped: dict[int, list[AgreementLine]] = {}
    for agreement in agreements:
        grouped.setdefault(agreement.conversation_id, []).append(
            AgreementLine(
                text=agreement.text,
                owner=agreement.owner,
                due=agreement.due,
                status=agreement.status,
                comment=agreement.follow_up_comment,
                reviewed_in=lines.get(agreement.reviewed_in_id or 0),
            )
        )
    others = [e for e in own_employees(session, leader_id=leader_id) if e.id != employee_id]
    return EmployeePage(
        employee=employee,
        conversations=tuple(lines.values()),
        events=tuple(history(session, [employee_id]).get(employee_id, ())),
        timeline=timeline,
        agreements=tuple(
            AgreementGroup(conversation=line, agreements=tuple(grouped[cid]))
            for cid, line in lines.items()
            if cid in grouped
        ),
        can_merge=bool(others),
    )


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    conversations: int


@dataclass(frozen=True)
class MergeConfirm:
    """What the merge will do, shown before it is made."""

    kept: Employee
    moving: int  # conversations that move to the kept employee
    email: str  # the kept employee's e-mail and team after the merge
    team: str


@dataclass(frozen=True)
class MergePage:
    employee: Employee
    choices: tuple[Choice, ...]
    confirm: MergeConfirm | None
    error: DomainError | None


def merge_page(
    session: Session, *, leader_id: int, employee_id: int, into_id: int | None
) -> MergePage:
    """The merge's page: the other employees to choose from, and once one is chosen, what the
    merge will do; a merge that is refused says why here, before anything is confirmed."""
    employee = own_employee(session, leader_id, employee_id)
    counts = dict(
        session.exec(
            select(Conversation.employee_id, func.count())
            .where(Conversation.leader_id == leader_id)
            .group_by(col(Conversation.employee_id))
        ).all()
    )
    choices = tuple(
        Choice(id=e.id or 0, name=e.name, conversations=counts.get(e.id or 0, 0))
        for e in own_employees(session, leader_id=leader_id)
        if e.id != employee_id
    )
    confirm, error = None, None
    if into_id is not None:
        try:
            kept = check_merge(
                session, leader_id=leader_id, employee_id=employee_id, into_id=into_id
            )
            confirm = MergeConfirm(
                kept=kept,
                moving=counts.get(employee_id, 0),
                email=kept.email or employee.email,
                team=kept.team or employee.team,
            )
        except DomainError as refused:
            error = refused
    return MergePage(employee=employee, choices=choices, confirm=confirm, error=error)
