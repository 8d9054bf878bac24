"""The leader's list of what is due (issue 16): which agreements, follow-ups and employees
it holds on a given day, and which it never holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.conversations.due import due_for, months_before, shorten, with_follow_up
from app.models import Agreement, Conversation
from tests.factories import Organisation

TODAY = date(2026, 12, 2)


def _held(
    org: Organisation,
    employee_id: int,
    on: date,
    *,
    status: str = "completed",
    follow_up: date | None = None,
) -> Conversation:
    conversation = org.session.get(Conversation, org.conversation(employee_id, on, status=status))
    assert conversation is not None
    conversation.follow_up_date = follow_up
    org.session.add(conversation)
    org.session.flush()
    return conversation


def _agreement(
    org: Organisation,
    conversation: Conversation,
    due: date | None,
    *,
    text: str = "Kursus i projektledelse",
    status: str = "open",
    deleted: bool = False,
) -> Agreement:
    agreement = Agreement(
        conversation_id=conversation.id or 0,
        text=text,
        owner="both",
        due=due,
        status=status,
        deleted_at=datetime(2026, 11, 1, tzinfo=UTC) if deleted else None,
    )
    org.session.add(agreement)
    org.session.flush()
    return agreement


def _one_employee(session: Session) -> tuple[Organisation, int, int]:
    org = Organisation(session)
    leader = org.leader()
    return org, leader, org.employee(leader)


def test_agreement_deadlines_due_today_in_30_days_and_overdue_are_listed_31_days_is_not(
    session: Session,
) -> None:
    org, leader, employee = _one_employee(session)
    held = _held(org, employee, TODAY - timedelta(days=100))
    today = _agreement(org, held, TODAY)
    in_30 = _agreement(org, held, TODAY + timedelta(days=30))
    overdue = _agreement(org, held, TODAY - timedelta(days=3))
    _agreement(org, held, TODAY + timedelta(days=31))
    _agreement(org, held, None)

    due = due_for(session, leader, TODAY)

    assert [(a.agreement_id, a.days) for a in due.agreements] == [
        (overdue.id, -3),
        (today.id, 0),
        (in_30.id, 30),
    ]
    assert due.agreements[0].is_overdue and not due.agreements[1].is_overdue
    assert due.agreements[0].employee_id == employee


def test_done_reviewed_and_deleted_agreements_are_never_due(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    held = _held(org, employee, TODAY - timedelta(days=100))
    for status in ("done", "partly", "not_done"):
        _agreement(org, held, TODAY - timedelta(days=1), status=status)
    _agreement(org, held, TODAY - timedelta(days=1), deleted=True)

    assert due_for(session, leader, TODAY).agreements == ()


def test_agreements_of_a_cancelled_conversation_are_never_due(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    _held(org, employee, TODAY - timedelta(days=30))  # a recent one, so only the agreement counts
    cancelled = _held(org, employee, TODAY - timedelta(days=10), status="cancelled")
    _agreement(org, cancelled, TODAY)

    assert due_for(session, leader, TODAY).is_empty


def test_another_leaders_employees_are_not_listed(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    held = _held(org, employee, TODAY - timedelta(days=400), follow_up=TODAY)
    _agreement(org, held, TODAY)
    other = org.leader()

    assert due_for(session, other, TODAY).is_empty
    assert not due_for(session, leader, TODAY).is_empty


def test_follow_up_is_due_within_30_days_until_a_later_conversation_exists(
    session: Session,
) -> None:
    org, leader, employee = _one_employee(session)
    held = _held(org, employee, TODAY - timedelta(days=150), follow_up=TODAY + timedelta(days=30))

    (follow_up,) = due_for(session, leader, TODAY).follow_ups
    assert (follow_up.conversation_id, follow_up.days) == (held.id, 30)
    assert follow_up.held_on == held.date

    _held(org, employee, TODAY + timedelta(days=5), status="planned")
    assert due_for(session, leader, TODAY).follow_ups == ()
    assert with_follow_up(session, [held]) == {held.id}


def test_follow_up_31_days_away_is_not_due_one_past_is_overdue(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    _held(org, employee, TODAY - timedelta(days=150), follow_up=TODAY + timedelta(days=31))
    assert due_for(session, leader, TODAY).follow_ups == ()

    org2, leader2, employee2 = org, leader, org.employee(leader)
    _held(org2, employee2, TODAY - timedelta(days=200), follow_up=TODAY - timedelta(days=20))
    (late,) = due_for(session, leader2, TODAY).follow_ups
    assert late.days == -20 and late.is_overdue


def test_a_cancelled_later_conversation_is_no_follow_up(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    held = _held(org, employee, TODAY - timedelta(days=180), follow_up=TODAY)
    _held(org, employee, TODAY - timedelta(days=2), status="cancelled")

    assert [f.conversation_id for f in due_for(session, leader, TODAY).follow_ups] == [held.id]


def test_a_planned_or_cancelled_conversation_has_no_follow_up_due(session: Session) -> None:
    org, leader, employee = _one_employee(session)
    _held(org, employee, TODAY - timedelta(days=5), status="planned", follow_up=TODAY)
    _held(org, employee, TODAY - timedelta(days=6), status="cancelled", follow_up=TODAY)

    assert due_for(session, leader, TODAY).follow_ups == ()


def test_employees_without_a_conversation_in_12_months(session: Session) -> None:
    org = Organisation(session)
    leader = org.leader()
    never = org.employee(leader)
    only_cancelled = org.employee(leader)
    _held(org, only_cancelled, TODAY - timedelta(days=20), status="cancelled")
    lapsed = org.employee(leader)
    _held(org, lapsed, months_before(TODAY, 12) - timedelta(days=1))
    just_in = org.employee(leader)
    _held(org, just_in, months_before(TODAY, 12))
    planned = org.employee(leader)
    _held(org, planned, TODAY + timedelta(days=10), status="planned")

    listed = due_for(session, leader, TODAY).without_conversation

    assert {n.employee_id for n in listed} == {never, only_cancelled, lapsed}
    by_id = {n.employee_id: n for n in listed}
    assert by_id[never].last is None and by_id[only_cancelled].last is None
    assert by_id[lapsed].last == months_before(TODAY, 12) - timedelta(days=1)
    # Never had one first: the longest wait leads.
    assert listed[-1].employee_id == lapsed


def test_a_lapsed_employees_follow_up_is_listed_once_as_without_conversation(
    session: Session,
) -> None:
    org, leader, employee = _one_employee(session)
    _held(org, employee, TODAY - timedelta(days=400), follow_up=TODAY - timedelta(days=200))

    due = due_for(session, leader, TODAY)

    assert due.follow_ups == ()
    assert [n.employee_id for n in due.without_conversation] == [employee]


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(date(2026, 12, 2), 12) == date(2025, 12, 2)
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_shorten_keeps_the_beginning_of_a_long_agreement() -> None:
    assert shorten("kort  tekst\n") == "kort tekst"
    long = shorten("ord " * 50)
    assert len(long) == 80 and long.endswith("…")


def test_nothing_due_for_a_leader_without_employees(session: Session) -> None:
    org = Organisation(session)
    assert due_for(session, org.leader(), TODAY).is_empty
