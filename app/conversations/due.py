"""What a leader has due (issue 16, DESIGN §1 "the leader's list of what is due"): open
agreements whose deadline is near or past, follow-ups that have not been held, and employees
who have not had a conversation for a year. The home page shows it and `arbejdsglaede remind`
e-mails it, both from ``due_for``, so the two never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.models import (
    Agreement,
    AgreementStatus,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Employee,
)

# How far ahead a deadline or a follow-up date counts as due.
DUE_WITHIN_DAYS = 30
# An employee whose last conversation is older than this many months has one due.
CONVERSATION_EVERY_MONTHS = 12
# The home page names an agreement by its beginning; the e-mail never names it at all.
SHORT_TEXT_LENGTH = 80


def shorten(text: str, length: int = SHORT_TEXT_LENGTH) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class DueAgreement:
    agreement_id: int
    conversation_id: int
    employee_id: int
    employee_name: str
    text: str
    due: date
    days: int  # until the deadline: 0 today, below 0 overdue

    @property
    def short_text(self) -> str:
        return shorten(self.text)

    @property
    def is_overdue(self) -> bool:
        return self.days < 0


@dataclass(frozen=True)
class DueFollowUp:
    conversation_id: int  # the finished conversation whose follow-up is due
    employee_id: int
    employee_name: str
    held_on: date
    follow_up_date: date
    days: int  # until the follow-up date: below 0 overdue

    @property
    def is_overdue(self) -> bool:
        return self.days < 0


@dataclass(frozen=True)
class NoRecentConversation:
    employee_id: int
    employee_name: str
    last: date | None  # the last conversation held; None: never one


@dataclass(frozen=True)
class Due:
    agreements: tuple[DueAgreement, ...] = ()
    follow_ups: tuple[DueFollowUp, ...] = ()
    without_conversation: tuple[NoRecentConversation, ...] = ()

    @property
    def count(self) -> int:
        return len(self.agreements) + len(self.follow_ups) + len(self.without_conversation)

    @property
    def is_empty(self) -> bool:
        return self.count == 0


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier; the month's last day when it has no such day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


def with_follow_up(session: Session, conversations: Iterable[Conversation]) -> set[int]:
    """The ids of those finished conversations that have had their follow-up.

    The one place that decides it: a later conversation of the same employee that was not
    cancelled (planned, running or held) counts, a follow-up session (``kind`` followup) or a
    check-in as well as the next MUS, because holding or planning it is acting on it."""
    wanted = list(conversations)
    if not wanted:
        return set()
    employee_ids = {c.employee_id for c in wanted}
    later: dict[int, list[tuple[date, int]]] = {}
    for other in session.exec(
        select(Conversation)
        .where(col(Conversation.employee_id).in_(employee_ids))
        .where(Conversation.status != ConversationStatus.cancelled)
    ):
        later.setdefault(other.employee_id, []).append((other.date, other.id or 0))
    return {
        c.id or 0
        for c in wanted
        if any((day, cid) > (c.date, c.id or 0) for day, cid in later.get(c.employee_id, []))
    }


def due_for(session: Session, leader_id: int, today: date) -> Due:
    """Everything due for the leader's current employees on ``today`` (Copenhagen's date).

    - an open agreement (not deleted, not reviewed) whose deadline is at most 30 days away or
      past, from a conversation that was not cancelled;
    - a finished conversation whose follow-up date is at most 30 days away or past and that
      has had no follow-up (``with_follow_up``);
    - an employee without a conversation (held, running or planned; a cancelled one never
      counts) dated within the last 12 months, also one who never had one. Such an employee's
      follow-up is not listed as well: planning the conversation answers both.
    """
    horizon = today + timedelta(days=DUE_WITHIN_DAYS)
    employees = {
        e.id or 0: e
        for e in session.exec(
            select(Employee).where(Employee.leader_id == leader_id).order_by(col(Employee.id))
        )
    }
    if not employees:
        return Due()
    conversations = list(
        session.exec(
            select(Conversation)
            .where(col(Conversation.employee_id).in_(employees))
            .where(Conversation.status != ConversationStatus.cancelled)
        )
    )
    since = months_before(today, CONVERSATION_EVERY_MONTHS)
    last: dict[int, date] = {}
    recent: set[int] = set()
    for c in conversations:
        if c.date >= since:
            recent.add(c.employee_id)
        if c.status == ConversationStatus.completed and (
            c.employee_id not in last or c.date > last[c.employee_id]
        ):
            last[c.employee_id] = c.date
    without = sorted(
        (
            NoRecentConversation(employee_id=eid, employee_name=e.name, last=last.get(eid))
            for eid, e in employees.items()
            if eid not in recent
        ),
        key=lambda n: (n.last or date.min, n.employee_name.casefold()),
    )
    lapsed = {n.employee_id for n in without}

    by_id = {c.id or 0: c for c in conversations}
    agreements = sorted(
        (
            DueAgreement(
                agreement_id=a.id or 0,
                conversation_id=a.conversation_id,
                employee_id=by_id[a.conversation_id].employee_id,
                employee_name=employees[by_id[a.conversation_id].employee_id].name,
                text=a.text,
                due=a.due,
                days=(a.due - today).days,
            )
            for a in session.exec(
                select(Agreement)
                .where(col(Agreement.conversation_id).in_(by_id))
                .where(Agreement.status == AgreementStatus.open)
                .where(col(Agreement.deleted_at).is_(None))
                .where(col(Agreement.due).is_not(None))
                .where(col(Agreement.due) <= horizon)
            )
            if a.due is not None
        ),
        key=lambda d: (d.due, d.employee_name.casefold(), d.agreement_id),
    )

    waiting = [
        c
        for c in conversations
        if c.status == ConversationStatus.completed
        and c.kind == ConversationKind.mus  # a follow-up or check-in is not followed up
        and c.follow_up_date is not None
        and c.follow_up_date <= horizon
        and c.employee_id not in lapsed
    ]
    followed = with_follow_up(session, waiting)
    follow_ups = sorted(
        (
            DueFollowUp(
                conversation_id=c.id or 0,
                employee_id=c.employee_id,
                employee_name=employees[c.employee_id].name,
                held_on=c.date,
                follow_up_date=c.follow_up_date,
                days=(c.follow_up_date - today).days,
            )
            for c in waiting
            if (c.id or 0) not in followed and c.follow_up_date is not None
        ),
        key=lambda f: (f.follow_up_date, f.employee_name.casefold()),
    )
    return Due(
        agreements=tuple(agreements),
        follow_ups=tuple(follow_ups),
        without_conversation=tuple(without),
    )
