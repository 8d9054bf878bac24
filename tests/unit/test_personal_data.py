"""One employee's personal data (DESIGN §6): everything stored, to download, and its erasure,
checked table by table on SQLite and on PostgreSQL (the PostgreSQL run runs these there)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_model

from app.config import Settings
from app.conversations import service as conversations
from app.db import make_engine, write_session
from app.errors import DomainError, NotFound
from app.models import (
    AuditEvent,
    Conversation,
    ConversationFocusArea,
    ConversationQuestion,
    Employee,
    Image,
    ImageVariant,
    Pick,
    RecordShare,
    Step,
    User,
)
from app.models.preparation import ConversationTopic, PreparationLink, PreparationNote
from app.records import personal, share
from tests.record_fixtures import NOTE_DA, full_conversation, leader

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NAME = "Medarbejder Ærø-Øst"
PRIVATE_NOTE = "Kun til mig selv: løn"
OTHER = "Kollega Bøgh"


@pytest.fixture
def deck_engine(settings_with_decks: Settings) -> Iterator[Engine]:
    engine = make_engine(settings_with_decks.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(deck_engine: Engine) -> Iterator[Session]:
    with write_session(deck_engine) as session:
        yield session


def _image(session: Session, sha: str) -> None:
    """A card image of its own: a copy of a real one's variants under a new name."""
    model = session.exec(select_model(ImageVariant)).first()
    assert model is not None
    session.add(Image(sha256=sha, width=model.width, height=model.height))
    session.add(
        ImageVariant(
            sha256=sha[::-1],
            image_sha256=sha,
            width=model.width,
            height=model.height,
            size=model.size,
            data=model.data,
        )
    )
    session.commit()


def _world(db: Session) -> tuple[User, int, int]:
    """Two employees of one leader; the first with two conversations (one of them finished,
    shared and timed), the second with one; a card image only the first's record uses, and
    one both records use."""
    boss = leader(db)
    uid = boss.id or 0
    first = full_conversation(db, leader_id=uid, employee=NAME, on=date(2025, 11, 1))
    second = full_conversation(db, leader_id=uid, employee=NAME, finish=False)
    other = full_conversation(db, leader_id=uid, employee=OTHER, note="En anden samtale.")
    conversations.open_step(db, leader_id=uid, conversation_id=second.id or 0,
                            step=Step.status, now=NOW)  # fmt: skip
    conversations.open_step(db, leader_id=uid, conversation_id=second.id or 0,
                            step=Step.feedback, now=NOW.replace(minute=20))  # fmt: skip
    share.create_share(db, leader_id=uid, conversation_id=first.id or 0, now=NOW, days=7)
    # The leader's questions and focus areas for the planned one (issue 15).
    db.add(ConversationQuestion(conversation_id=second.id or 0, step="status", text_da="Hvordan?"))
    db.add(
        ConversationFocusArea(conversation_id=second.id or 0, focus_area_id=1, name_da="Trivsel")
    )
    # The preparation (issue 15): a link, a topic, a note brought in and a private one.
    db.add_all(
        [
            PreparationLink(
                conversation_id=second.id or 0, token_hash="d" * 64, nonce="e" * 32, expires_at=NOW
            ),
            ConversationTopic(conversation_id=second.id or 0, text="Kurser", source="employee"),
            PreparationNote(conversation_id=second.id or 0, text="Kurser", brought_at=NOW),
            PreparationNote(conversation_id=second.id or 0, text=PRIVATE_NOTE),
        ]
    )
    _image(db, "a" * 64)
    _image(db, "b" * 64)
    mine = db.exec(select_model(Pick).where(Pick.conversation_id == first.id)).all()
    theirs = db.exec(select_model(Pick).where(Pick.conversation_id == other.id)).first()
    assert theirs is not None
    mine[0].image_sha256 = "a" * 64
    mine[1].image_sha256 = "b" * 64
    theirs.image_sha256 = "b" * 64
    db.add_all([mine[0], mine[1], theirs])
    db.commit()
    return boss, first.employee_id, other.employee_id


def _mentions(db: Session, employee_id: int, conversation_ids: set[int]) -> list[str]:
    """Every row of every table that points at the employee or one of their conversations
    by a foreign key, or holds their name in a text column."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        rows = [dict(r._mapping) for r in db.execute(select(table))]
        for fk in table.foreign_keys:
            target = fk.column.table.name
            ids = {"employees": {employee_id}, "conversations": conversation_ids}.get(target)
            if ids:
                found += [
                    f"{table.name}.{fk.parent.name}" for r in rows if r[fk.parent.name] in ids
                ]
        found += [
            f"{table.name}.{name}"
            for r in rows
            for name, value in r.items()
            if isinstance(value, str) and (NAME in value or NOTE_DA in value)
        ]
    return found


def _other_rows(db: Session, employee_id: int) -> dict[str, int]:
    ids = set(db.exec(select_model(Conversation.id).where(Conversation.employee_id == employee_id)))
    picks = db.exec(select_model(Pick).where(col(Pick.conversation_id).in_(ids))).all()
    return {"conversations": len(ids), "picks": len(picks)}


def test_erasure_leaves_no_row_that_mentions_the_employee(db: Session) -> None:
    boss, employee_id, other_id = _world(db)
    ids = set(db.exec(select_model(Conversation.id).where(Conversation.employee_id == employee_id)))
    assert len(ids) == 2 and _mentions(db, employee_id, ids)  # the check finds what is there
    theirs = _other_rows(db, other_id)
    erased = personal.erase_employee(
        db, user_id=boss.id or 0, is_admin=False, employee_id=employee_id,
        typed_name=f"  {NAME} ", now=NOW,
    )  # fmt: skip
    assert _mentions(db, employee_id, ids) == []
    assert db.get(Employee, employee_id) is None
    assert erased.rows["conversations"] == 2 and erased.rows["record_shares"] == 1
    assert erased.rows["step_times"] >= 1 and erased.rows["agreement_cards"] >= 1
    assert erased.rows["conversation_questions"] == 1
    assert erased.rows["conversation_focus_areas"] == 1
    # The image only this record used is gone; the one another record uses stays.
    assert erased.images == 1
    assert db.get(Image, "a" * 64) is None and db.get(ImageVariant, "a" * 64) is None
    assert db.get(Image, "b" * 64) is not None and db.get(ImageVariant, "b" * 64) is not None
    # The deck's own card images stay, and so does everything of the other employee.
    assert db.exec(select_model(Image)).first() is not None
    assert _other_rows(db, other_id) == theirs
    # The erasure is logged with the employee's number, and nothing of what was erased.
    event = db.exec(select_model(AuditEvent).where(AuditEvent.action == "erasure")).one()
    assert (event.user_id, event.employee_id) == (boss.id, employee_id)
    assert db.exec(select_model(RecordShare)).all() == []


def test_erasure_needs_the_name_typed(db: Session) -> None:
    boss, employee_id, _ = _world(db)
    for typed in ("", "Medarbejder", "Kollega Bøgh"):
        with pytest.raises(DomainError):
            personal.erase_employee(db, user_id=boss.id or 0, is_admin=False,
                                    employee_id=employee_id, typed_name=typed, now=NOW)  # fmt: skip
    assert db.get(Employee, employee_id) is not None
    assert db.exec(select_model(AuditEvent).where(AuditEvent.action == "erasure")).all() == []
    # Case does not matter: a name typed on a phone starts with a capital or not.
    personal.erase_employee(db, user_id=boss.id or 0, is_admin=False, employee_id=employee_id,
                            typed_name=NAME.lower(), now=NOW)  # fmt: skip
    assert db.get(Employee, employee_id) is None


def test_only_an_admin_or_the_employee_s_leader_reaches_the_data(db: Session) -> None:
    boss, employee_id, _ = _world(db)
    stranger = leader(db, email="anden@example.org", name="Anden Leder")
    with pytest.raises(NotFound):
        personal.summary(db, user_id=stranger.id or 0, is_admin=False, employee_id=employee_id)
    with pytest.raises(NotFound):
        personal.erase_employee(db, user_id=stranger.id or 0, is_admin=False,
                                employee_id=employee_id, typed_name=NAME, now=NOW)  # fmt: skip
    view = personal.summary(db, user_id=stranger.id or 0, is_admin=True, employee_id=employee_id)
    assert view.name == NAME and view.leader_name == boss.name


def test_the_download_holds_the_topics_but_never_a_private_note(db: Session) -> None:
    boss, employee_id, _ = _world(db)
    export = personal.export_everything(db, user_id=boss.id or 0, is_admin=False,
                                        employee_id=employee_id, organisation="", now=NOW,
                                        lang="da")  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    data: dict[str, Any] = json.loads(archive.read("personal-data.json"))
    tables = data["tables"]
    assert [t["text"] for t in tables["conversation_topics"]] == ["Kurser"]
    assert [n["text"] for n in tables["preparation_notes"]] == ["Kurser"]
    assert "token_hash" not in tables["preparation_links"][0]
    assert PRIVATE_NOTE not in json.dumps(data, ensure_ascii=False)
    assert all(PRIVATE_NOTE.encode() not in archive.read(name) for name in archive.namelist())


def test_everything_stored_is_in_the_download(db: Session) -> None:
    boss, employee_id, _ = _world(db)
    export = personal.export_everything(db, user_id=boss.id or 0, is_admin=False,
                                        employee_id=employee_id, organisation="", now=NOW,
                                        lang="da")  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    names = archive.namelist()
    assert sum(name.endswith(".pdf") for name in names) == 2
    data: dict[str, Any] = json.loads(archive.read("personal-data.json"))
    assert data["employee"] == {"id": employee_id, "name": NAME}
    tables = data["tables"]
    assert len(tables["conversations"]) == 2 and len(tables["record_shares"]) == 1
    assert any(NOTE_DA in pick["note"] for pick in tables["picks"])
    assert tables["step_times"] and tables["agreements"] and tables["agreement_cards"]
    assert OTHER not in json.dumps(data, ensure_ascii=False)
    assert any(event["action"] == "share_created" for event in data["audit_events"])
    assert not any("address" in event for event in data["audit_events"] if event["user_id"])
    logged = db.exec(select_model(AuditEvent).where(AuditEvent.action == "access_export")).one()
    assert logged.employee_id == employee_id and logged.user_id == boss.id
