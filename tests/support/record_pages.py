"""Records over HTTP, for the web tests: a leader with a full conversation, the audit log,
the employee's copy link."""

from __future__ import annotations

import re

from sqlmodel import select

from app.db import write_session
from app.models import AuditEvent, Conversation, User
from tests.record_fixtures import full_conversation
from tests.support import PARTIAL, Client, add_user, engine_of

EMAIL = "leder@example.org"


def setup(client: Client, *, finish: bool = True, email: str = EMAIL) -> Conversation:
    add_user(client, email, name="Leder Åby")
    with write_session(engine_of(client)) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        conversation = full_conversation(session, leader_id=user.id or 0, finish=finish)
    client.login(email)
    return conversation


def audit(client: Client) -> list[AuditEvent]:
    with write_session(engine_of(client)) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))  # type: ignore[arg-type]


def share_link(client: Client, conversation_id: int) -> str:
    fragment = client.post(
        f"/conversations/{conversation_id}/share",
        headers={**PARTIAL, "x-csrftoken": client.csrf},
    )
    assert fragment.status_code == 200, fragment.text
    assert fragment.text.lstrip().startswith('<div id="share-area"')
    assert "<svg" in fragment.text and "style=" not in fragment.text.split("<svg")[1]
    match = re.search(r'class="share-link"><a href="([^"]+)"', fragment.text)
    assert match
    return match.group(1)
