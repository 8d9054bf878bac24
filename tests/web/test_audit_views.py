"""Every view of a conversation or a record is in the audit log (DESIGN §6): who, when, what
and from which address, with ids only, never a word of the conversation."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel, col
from sqlmodel import select as select_model

from app.db import write_session
from app.models import AuditEvent, User
from tests.record_fixtures import FEEDBACK, NOTE_DA, ROW_NOTES, full_conversation
from tests.support import PARTIAL, Client, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

LEADER = "leder@example.org"


def _conversation(client: Client, *, finish: bool = True) -> int:
    add_user(client, LEADER, name="Leder Åby")
    with write_session(engine_of(client)) as session:
        user = session.exec(select_model(User).where(User.email == LEADER)).one()
        conversation = full_conversation(session, leader_id=user.id or 0, finish=finish)
    client.login(LEADER)
    return conversation.id or 0


def _events(client: Client) -> list[AuditEvent]:
    with write_session(engine_of(client)) as session:
        return list(session.exec(select_model(AuditEvent).order_by(col(AuditEvent.id))))


def test_each_step_page_is_a_view_in_the_audit_log(decks_client: Client) -> None:
    cid = _conversation(decks_client, finish=False)
    before = len(_events(decks_client))
    assert decks_client.get(f"/conversations/{cid}/status").status_code == 200
    assert decks_client.get(f"/conversations/{cid}/arbejdsglaede").status_code == 200
    views = _events(decks_client)[before:]
    assert [(e.action, e.format, e.conversation_id) for e in views] == [
        ("view", "status", cid),
        ("view", "arbejdsglaede", cid),
    ]
    leader_id = views[0].user_id
    assert leader_id is not None and all(e.user_id == leader_id for e in views)
    # The test client's address, as the login limit sees it.
    assert all(e.address == "testclient" for e in views)
    assert all(e.employee_id for e in views)


def test_a_tap_is_not_a_view(decks_client: Client) -> None:
    cid = _conversation(decks_client, finish=False)
    decks_client.get(f"/conversations/{cid}/feedback")
    before = len(_events(decks_client))
    response = decks_client.post(
        f"/conversations/{cid}/feedback/learned",
        data={"text": "Noget nyt"},
        headers={"x-csrftoken": decks_client.csrf, **PARTIAL},
    )
    assert response.status_code == 200
    assert len(_events(decks_client)) == before


def test_the_share_page_is_a_view_and_its_panel_in_the_summary_is_not(
    decks_client: Client,
) -> None:
    cid = _conversation(decks_client)
    before = len(_events(decks_client))
    assert decks_client.get(f"/conversations/{cid}/share", headers=PARTIAL).status_code == 200
    assert len(_events(decks_client)) == before
    assert decks_client.get(f"/conversations/{cid}/share").status_code == 200
    (event,) = _events(decks_client)[before:]
    assert (event.action, event.conversation_id, event.address) == (
        "share_viewed",
        cid,
        "testclient",
    )


def test_exports_and_the_employee_s_link_log_their_address(decks_client: Client) -> None:
    cid = _conversation(decks_client)
    before = len(_events(decks_client))
    assert decks_client.get(f"/conversations/{cid}/export.json").status_code == 200
    (event,) = _events(decks_client)[before:]
    assert (event.action, event.format, event.address) == ("export", "json", "testclient")


def test_no_word_of_the_conversation_ever_reaches_the_audit_log(decks_client: Client) -> None:
    cid = _conversation(decks_client)
    for step in ("start", "status", "arbejdsglaede", "feedback", "aftaler", "slut"):
        decks_client.get(f"/conversations/{cid}/{step}")
    for fmt in ("export.pdf", "export.md", "export.json", "followup.ics", "share"):
        decks_client.get(f"/conversations/{cid}/{fmt}")
    decks_client.post(f"/conversations/{cid}/share", headers={"x-csrftoken": decks_client.csrf})
    words = [NOTE_DA, "Medarbejder Ærø-Øst", *ROW_NOTES.values(), *FEEDBACK.values()]
    table = SQLModel.metadata.tables["audit_events"]
    with write_session(engine_of(decks_client)) as session:
        rows = session.execute(select(table)).all()
    assert len(rows) > 10
    stored = [v for row in rows for v in row if isinstance(v, str) and v]
    for value in stored:
        assert not any(word in value or value in word for word in words if len(value) > 3), value
