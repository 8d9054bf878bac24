"""The audit log is append-only in the database itself (DESIGN §6): the trigger of migration
0010 refuses every UPDATE and every DELETE of an entry younger than the audit retention, on
SQLite and on PostgreSQL (the PostgreSQL run runs these tests there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.models import AuditEvent, AuditRetention
from app.records import audit


def _entry(session: Session, at: datetime) -> int:
    event = audit.log(session, action="export", at=at, user_id=1, conversation_id=7, format="pdf")
    session.commit()
    assert event.id is not None
    return event.id


def _run(session: Session, sql: str, **params: object) -> None:
    session.connection().execute(text(sql), params)


def _count(session: Session) -> int:
    return int(session.connection().execute(text("SELECT count(*) FROM audit_events")).scalar_one())


def test_the_database_refuses_to_change_an_audit_entry(session: Session) -> None:
    old = _entry(session, datetime.now(UTC) - timedelta(days=365 * 20))
    with pytest.raises(DBAPIError, match="append-only"):
        _run(session, "UPDATE audit_events SET action = 'nothing' WHERE id = :id", id=old)
    session.rollback()
    assert session.get(AuditEvent, old).action == "export"  # type: ignore[union-attr]


def test_the_database_refuses_to_delete_a_recent_audit_entry(session: Session) -> None:
    recent = _entry(session, datetime.now(UTC) - timedelta(days=365 * 4))
    with pytest.raises(DBAPIError, match="append-only"):
        _run(session, "DELETE FROM audit_events WHERE id = :id", id=recent)
    session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        _run(session, "DELETE FROM audit_events")
    session.rollback()
    assert _count(session) == 1


def test_the_database_lets_the_purge_delete_entries_older_than_their_retention(
    session: Session,
) -> None:
    now = datetime.now(UTC)
    old = _entry(session, now - timedelta(days=365 * 5 + 10))
    kept = _entry(session, now - timedelta(days=365 * 5 - 10))
    _run(session, "DELETE FROM audit_events WHERE id = :id", id=old)
    session.commit()
    assert session.get(AuditEvent, old) is None
    assert session.get(AuditEvent, kept) is not None


def test_the_retention_the_trigger_reads_is_the_database_s_own(session: Session) -> None:
    """A longer retention protects more; a missing row protects everything (fails closed)."""
    old = _entry(session, datetime.now(UTC) - timedelta(days=365 * 6))
    row = session.get(AuditRetention, 1)
    assert row is not None and row.audit_years == 5
    row.audit_years = 10
    session.add(row)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        _run(session, "DELETE FROM audit_events WHERE id = :id", id=old)
    session.rollback()
    _run(session, "DELETE FROM audit_retention")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        _run(session, "DELETE FROM audit_events WHERE id = :id", id=old)
    session.rollback()
    assert session.get(AuditEvent, old) is not None
