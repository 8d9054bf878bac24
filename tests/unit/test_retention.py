"""Retention (DESIGN §6): the purge deletes conversations and audit entries past their
retention, with everything that belongs to them, and the dry run reports the same and
deletes nothing; on SQLite and PostgreSQL (the database's trigger lets the purge through)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.config import Settings
from app.db import make_engine, write_session
from app.models import AuditEvent, Conversation, Employee, Pick
from app.models.preparation import ConversationTopic, PreparationLink, PreparationNote
from app.records import audit
from app.records.retention import purge
from tests.record_fixtures import full_conversation, leader

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(settings_with_decks: Settings) -> Iterator[Session]:
    engine: Engine = make_engine(settings_with_decks.sqlalchemy_url)
    with write_session(engine) as session:
        yield session
    engine.dispose()


def _count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


def _world(db: Session) -> tuple[int, int]:
    boss = leader(db)
    uid = boss.id or 0
    old = full_conversation(db, leader_id=uid, employee="Gammel Medarbejder", on=date(2021, 11, 30))
    kept = full_conversation(db, leader_id=uid, employee="Ny Medarbejder", on=date(2021, 12, 1))
    employee = db.get(Employee, old.employee_id)
    assert employee is not None
    employee.created_at = datetime(2021, 11, 1, tzinfo=UTC)
    db.add(employee)
    for at in (datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 11, 1, tzinfo=UTC)):
        audit.log(db, action="export", at=at, user_id=uid, conversation_id=old.id, format="pdf")
    audit.log(db, action="export", at=datetime(2024, 1, 1, tzinfo=UTC), user_id=uid)
    db.commit()
    return old.id or 0, kept.id or 0


def test_the_purge_deletes_what_is_past_its_retention(db: Session) -> None:
    old, kept = _world(db)
    audit_before = _count(db, AuditEvent)
    done = purge(db, now=NOW, conversation_years=5, audit_years=5)
    assert done.counts["conversations"] == 1 and done.counts["employees"] == 1
    assert done.counts["picks"] > 0 and done.counts["agreements"] > 0
    assert done.counts["audit_events"] == 2
    assert done.conversations_before == "2021-12-01"
    assert db.get(Conversation, old) is None and db.get(Conversation, kept) is not None
    assert db.exec(select(Pick).where(Pick.conversation_id == old)).all() == []
    assert db.exec(select(Pick).where(Pick.conversation_id == kept)).all() != []
    assert _count(db, AuditEvent) == audit_before - 2
    assert "conversations: 1" in done.lines() and "audit_events: 2" in done.lines()


def test_the_dry_run_reports_the_same_and_deletes_nothing(db: Session) -> None:
    old, _ = _world(db)
    rows = {model: _count(db, model) for model in (Conversation, Pick, Employee, AuditEvent)}
    dry = purge(db, now=NOW, conversation_years=5, audit_years=5, dry_run=True)
    assert {model: _count(db, model) for model in rows} == rows
    assert db.get(Conversation, old) is not None
    real = purge(db, now=NOW, conversation_years=5, audit_years=5)
    assert dry.counts == real.counts and real.counts["conversations"] == 1


def test_a_longer_retention_keeps_more(db: Session) -> None:
    _world(db)
    done = purge(db, now=NOW, conversation_years=10, audit_years=10)
    assert done.counts["conversations"] == 0 and done.counts["audit_events"] == 0


def test_the_purge_deletes_sessions_that_can_never_be_used_again(db: Session) -> None:
    from datetime import timedelta

    from app.accounts import sessions
    from app.models import LoginSession

    uid = leader(db).id or 0
    rules = sessions.Limits(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    sessions.start_session(db, user_id=uid, now=NOW - timedelta(days=2), address="10.0.0.1")
    sessions.start_session(db, user_id=uid, now=NOW, address="10.0.0.2")
    db.commit()
    dry = purge(
        db, now=NOW, conversation_years=5, audit_years=5, session_limits=rules, dry_run=True
    )
    assert dry.counts["sessions"] == 1 and _count(db, LoginSession) == 2
    done = purge(db, now=NOW, conversation_years=5, audit_years=5, session_limits=rules)
    assert "sessions: 1" in done.lines()
    assert [s.address for s in db.exec(select(LoginSession))] == ["10.0.0.2"]


def test_the_purge_takes_the_preparation_with_the_conversation(db: Session) -> None:
    """Issue 15: the link, the topics and the private notes go with their conversation."""
    old, kept = _world(db)
    for cid in (old, kept):
        db.add_all(
            [
                PreparationLink(
                    conversation_id=cid, token_hash=f"{cid}" * 8, nonce="n", expires_at=NOW
                ),
                ConversationTopic(conversation_id=cid, text="Emne"),
                PreparationNote(conversation_id=cid, text="Privat"),
            ]
        )
    db.commit()
    done = purge(db, now=NOW, conversation_years=5, audit_years=5)
    for model, table in (
        (PreparationLink, "preparation_links"),
        (ConversationTopic, "conversation_topics"),
        (PreparationNote, "preparation_notes"),
    ):
        assert done.counts[table] == 1
        assert [row.conversation_id for row in db.exec(select(model))] == [kept]


def test_the_purge_deletes_reset_requests_no_limit_counts_any_more(db: Session) -> None:
    """A "Forgot password?" request names an e-mail address and who asked: it goes once the
    hour it counts for is over, also when nobody asks again."""
    from datetime import timedelta

    from app.models import ResetRequest

    for minutes, address in ((90, "10.0.0.1"), (10, "10.0.0.2")):
        db.add(
            ResetRequest(
                email="leder@example.org",
                address=address,
                created_at=NOW - timedelta(minutes=minutes),
            )
        )
    db.commit()
    dry = purge(db, now=NOW, conversation_years=5, audit_years=5, dry_run=True)
    assert dry.counts["reset_requests"] == 1 and _count(db, ResetRequest) == 2
    done = purge(db, now=NOW, conversation_years=5, audit_years=5)
    assert "reset_requests: 1" in done.lines()
    assert [r.address for r in db.exec(select(ResetRequest))] == ["10.0.0.2"]
