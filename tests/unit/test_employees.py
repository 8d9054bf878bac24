"""The employee page's rules (issue 15): adding an employee without a conversation, merging
two that are the same person, and the history the page shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.conversations import service as conversations
from app.db import make_engine, write_session
from app.employees import service, views
from app.errors import DomainError, NotFound
from app.models import (
    AgreementStatus,
    AuditEvent,
    Conversation,
    ConversationStatus,
    Employee,
    EmployeeEvent,
)
from app.records import personal
from tests.record_fixtures import full_conversation, leader

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def deck_engine(settings_with_decks: Settings) -> Iterator[Engine]:
    engine = make_engine(settings_with_decks.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(deck_engine: Engine) -> Iterator[Session]:
    with write_session(deck_engine) as session:
        yield session


def _employee(db: Session, leader_id: int, name: str) -> Employee:
    found = db.exec(
        select(Employee).where(Employee.leader_id == leader_id, Employee.name == name)
    ).one()
    return found


def _two_of_one_person(db: Session) -> tuple[int, Employee, Employee]:
    """A leader with "Anne Holm" (one finished conversation, no e-mail, a team) and the typo
    "Anne Hlom" (two finished conversations, an e-mail and a handover in her history)."""
    uid = leader(db).id or 0
    full_conversation(db, leader_id=uid, employee="Anne Holm", on=date(2024, 11, 1))
    full_conversation(db, leader_id=uid, employee="Anne Hlom", on=date(2025, 5, 1))
    full_conversation(db, leader_id=uid, employee="Anne Hlom", on=date(2025, 11, 1))
    kept, typo = _employee(db, uid, "Anne Holm"), _employee(db, uid, "Anne Hlom")
    kept.team = "Hjemmeplejen"
    typo.email, typo.team = "anne@example.org", "Køkkenet"
    db.add_all([kept, typo])
    db.add(EmployeeEvent(employee_id=typo.id or 0, at=NOW, kind="handover", from_user_id=uid))
    db.commit()
    return uid, kept, typo


def test_merge_moves_every_conversation_and_event_and_removes_the_duplicate(db: Session) -> None:
    uid, kept, typo = _two_of_one_person(db)
    kept_id, typo_id = kept.id or 0, typo.id or 0
    service.merge_employees(db, leader_id=uid, employee_id=typo_id, into_id=kept_id, now=NOW)
    db.expire_all()
    assert db.get(Employee, typo_id) is None
    owners = db.exec(select(Conversation.employee_id)).all()
    assert owners == [kept_id] * 3
    events = db.exec(select(EmployeeEvent).order_by(col(EmployeeEvent.id))).all()
    assert [(e.employee_id, e.kind) for e in events] == [(kept_id, "handover"), (kept_id, "merge")]
    assert events[1].detail == "Anne Hlom" and events[1].by_user_id == uid
    after = db.get(Employee, kept_id)
    assert after is not None
    # The kept one's name and team stay; her empty e-mail is taken from the duplicate.
    assert (after.name, after.email, after.team) == (
        "Anne Holm",
        "anne@example.org",
        "Hjemmeplejen",
    )
    audit = db.exec(
        select(AuditEvent.action, AuditEvent.employee_id, AuditEvent.user_id).where(
            col(AuditEvent.action).startswith("employee_")
        )
    ).all()
    assert sorted(audit) == [
        ("employee_merge", kept_id, uid),
        ("employee_merged_away", typo_id, uid),
    ]


def test_merge_refuses_an_employee_into_themself(db: Session) -> None:
    uid, kept, _ = _two_of_one_person(db)
    with pytest.raises(DomainError, match="themself"):
        service.merge_employees(
            db, leader_id=uid, employee_id=kept.id or 0, into_id=kept.id or 0, now=NOW
        )
    assert db.get(Employee, kept.id) is not None


def test_merge_into_another_leaders_employee_is_not_found(db: Session) -> None:
    uid, _, typo = _two_of_one_person(db)
    other = leader(db, email="anden@example.org", name="Anden Leder")
    full_conversation(db, leader_id=other.id or 0, employee="Anne Holm")
    theirs = _employee(db, other.id or 0, "Anne Holm")
    with pytest.raises(NotFound):
        service.merge_employees(
            db, leader_id=uid, employee_id=typo.id or 0, into_id=theirs.id or 0, now=NOW
        )
    # Nor may the other leader merge this leader's employee away into their own.
    with pytest.raises(NotFound):
        service.merge_employees(
            db, leader_id=other.id or 0, employee_id=typo.id or 0, into_id=theirs.id or 0, now=NOW
        )
    assert db.exec(select(Conversation).where(Conversation.employee_id == theirs.id)).one()
    assert len(db.exec(select(Conversation).where(Conversation.employee_id == typo.id)).all()) == 2


@pytest.mark.parametrize("running", ["kept", "typo"])
def test_merge_refuses_while_either_is_in_a_running_conversation(db: Session, running: str) -> None:
    uid, kept, typo = _two_of_one_person(db)
    name = kept.name if running == "kept" else typo.name
    started = full_conversation(db, leader_id=uid, employee=name, finish=False)
    assert started.status == ConversationStatus.running
    with pytest.raises(DomainError, match="still running"):
        service.merge_employees(
            db, leader_id=uid, employee_id=typo.id or 0, into_id=kept.id or 0, now=NOW
        )
    assert db.get(Employee, typo.id) is not None


def test_merge_of_an_unknown_employee_is_not_found(db: Session) -> None:
    uid, kept, _ = _two_of_one_person(db)
    for unknown in (999_999, 2**40):
        with pytest.raises(NotFound):
            service.merge_employees(
                db, leader_id=uid, employee_id=unknown, into_id=kept.id or 0, now=NOW
            )
        with pytest.raises(NotFound):
            service.merge_employees(
                db, leader_id=uid, employee_id=kept.id or 0, into_id=unknown, now=NOW
            )


def test_add_employee_without_a_conversation(db: Session) -> None:
    uid = leader(db).id or 0
    added = service.add_employee(
        db, leader_id=uid, name="  Bo   Berg ", email=" bo@example.org ", team="Drift"
    )
    assert (added.name, added.email, added.team) == ("Bo Berg", "bo@example.org", "Drift")
    assert db.exec(select(Conversation)).all() == []
    assert [row.name for row in service.employee_rows(db, leader_id=uid)] == ["Bo Berg"]


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("", "", "Enter the employee's name."),
        ("   ", "", "Enter the employee's name."),
        ("x" * 201, "", "The name is too long."),
        ("Bo Berg", "", "You already have an employee with that name."),
        ("bo  berg", "", "You already have an employee with that name."),
        ("Ny", "ikke en adresse", "Enter a valid e-mail address."),
    ],
)
def test_add_employee_refuses_bad_input(db: Session, name: str, email: str, message: str) -> None:
    uid = leader(db).id or 0
    service.add_employee(db, leader_id=uid, name="Bo Berg")
    with pytest.raises(DomainError) as refused:
        service.add_employee(db, leader_id=uid, name=name, email=email)
    assert refused.value.message == message
    assert len(service.employee_rows(db, leader_id=uid)) == 1


def test_a_name_already_taken_by_another_leader_is_free(db: Session) -> None:
    uid = leader(db).id or 0
    other = leader(db, email="anden@example.org").id or 0
    service.add_employee(db, leader_id=other, name="Bo Berg")
    assert service.add_employee(db, leader_id=uid, name="Bo Berg").leader_id == uid


def test_employee_page_shows_the_history_newest_first(db: Session) -> None:
    uid, kept, typo = _two_of_one_person(db)
    service.merge_employees(
        db, leader_id=uid, employee_id=typo.id or 0, into_id=kept.id or 0, now=NOW
    )
    # A follow-up in a running conversation reviews an agreement of the last finished one.
    running = full_conversation(
        db, leader_id=uid, employee="Anne Holm", on=date(2026, 6, 1), finish=False, agreements=0
    )
    earlier = conversations.previous_agreements(db, running)
    conversations.review_agreement(
        db, leader_id=uid, conversation_id=running.id or 0, agreement_id=earlier[0].id or 0,
        status=AgreementStatus.partly, comment="Kurset er taget, deling mangler.",
    )  # fmt: skip
    page = views.employee_page(db, leader_id=uid, employee_id=kept.id or 0, lang="en")
    days = [c.date for c in page.conversations]
    assert days == [date(2026, 6, 1), date(2025, 11, 1), date(2025, 5, 1), date(2024, 11, 1)]
    assert [c.status for c in page.conversations] == ["running"] + ["completed"] * 3
    # One column per conversation with cards, newest first: three status cards, 3 × 3 board.
    assert [column.date for column in page.timeline] == days
    oldest = page.timeline[-1]
    assert len(oldest.status) == 3 and [len(r.picks) for r in oldest.rows] == [3, 3, 3]
    assert [r.info.name for r in oldest.rows] == ["Glad", "Less glad", "Even more glad"]
    assert all(p.thumb is not None and p.title for p in oldest.status)
    # Agreements grouped per conversation, newest first; the reviewed one says how it went.
    assert [g.conversation.date for g in page.agreements] == days[1:]
    reviewed = page.agreements[0].agreements[0]
    assert reviewed.status == "partly" and reviewed.comment.startswith("Kurset")
    assert reviewed.reviewed_in is not None and reviewed.reviewed_in.date == date(2026, 6, 1)
    assert [e.kind for e in page.events] == ["handover", "merge"]
    assert page.events[-1].merged_name == "Anne Hlom"


def test_employee_page_of_another_leaders_employee_is_not_found(db: Session) -> None:
    _, kept, _ = _two_of_one_person(db)
    other = leader(db, email="anden@example.org").id or 0
    with pytest.raises(NotFound):
        views.employee_page(db, leader_id=other, employee_id=kept.id or 0, lang="da")


def test_erasing_the_kept_employee_also_erases_the_merged_duplicate_s_name(db: Session) -> None:
    """The merge line holds the duplicate's name: it is the person's data and goes with them."""
    uid, kept, typo = _two_of_one_person(db)
    kept_id = kept.id or 0
    service.merge_employees(db, leader_id=uid, employee_id=typo.id or 0, into_id=kept_id, now=NOW)
    found = personal.personal_data(db, db.get(Employee, kept_id) or kept)
    assert "Anne Hlom" in json.dumps(found, default=str, ensure_ascii=False)
    personal.erase_employee(
        db, user_id=uid, is_admin=False, employee_id=kept_id, typed_name="Anne Holm", now=NOW
    )
    assert db.exec(select(EmployeeEvent)).all() == []
    assert db.exec(select(Conversation)).all() == []
