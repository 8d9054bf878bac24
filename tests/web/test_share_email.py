"""E-mailing the employee's copy link (DESIGN §4, §6) through a real SMTP server on a free
port: off unless configured, the link only (no PDF, no words), a clear message when the
server is down, and an audit entry with ids only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.config import Settings
from app.db import write_session
from app.models import Employee
from tests.browser import free_port
from tests.record_fixtures import FEEDBACK, NOTE_DA
from tests.support import (
    PARTIAL,
    Client,
    FakeClock,
    add_user,
    engine_of,
    make_client,
    make_settings,
)
from tests.support.record_pages import audit, setup, share_link

TO = "medarbejder@example.org"
SENDER = "arbejdsglaede@example.org"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes
        ]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def mail_client(base: Settings, clock: FakeClock, port: int) -> Client:
    settings = make_settings(
        base.data_dir,
        database_url=base.database_url,  # the PostgreSQL run's database, or none: SQLite
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from=SENDER,
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    return make_client(settings, clock)


def with_link(client: Client, email: str = TO) -> tuple[int, str]:
    """A finished conversation whose employee has an e-mail address, and its live link."""
    c = setup(client)
    with write_session(engine_of(client)) as session:
        employee = session.exec(select(Employee).where(Employee.id == c.employee_id)).one()
        employee.email = email
        session.add(employee)
        session.commit()
    return c.id or 0, share_link(client, c.id or 0)


def send(client: Client, cid: int, to: str, lang: str = "en") -> Any:
    return client.post(
        f"/conversations/{cid}/share/email?lang={lang}",
        data={"email": to},
        headers={**PARTIAL, "x-csrftoken": client.csrf},
    )


def test_share_email_sends_the_link_only_and_is_audit_logged(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid, url = with_link(client)
        panel = client.get(f"/conversations/{cid}/share?lang=en", headers=PARTIAL).text
        assert "Send the link by e-mail" in panel
        assert f'value="{TO}"' in panel  # pre-filled from the employees page
        response = send(client, cid, TO)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="share-area"')
        assert f"The link was sent to {TO}." in response.text
        events = audit(client)
    assert len(handler.envelopes) == 1
    assert handler.envelopes[0].rcpt_tos == [TO]
    assert handler.envelopes[0].mail_from == SENDER
    message = handler.messages()[0]
    assert message["To"] == TO and message["From"] == SENDER
    assert message["Subject"] == "Din kopi af samtalen · Your copy of the conversation"
    assert not message.is_multipart()  # no attachment: the PDF stays behind the link
    body = message.get_content()
    assert url in body and "Leder Åby" in body
    assert "Her er linket til din kopi" in body and "Here is the link to your copy" in body
    for words in (NOTE_DA, FEEDBACK["to_leader"], "Medarbejder Ærø-Øst"):
        assert words not in body
    sent = [e for e in events if e.action == "share_email"]
    assert len(sent) == 1
    assert sent[0].user_id and sent[0].conversation_id == cid and sent[0].share_id
    assert sent[0].format == ""


def test_unreachable_mail_server_says_so_and_keeps_the_link(
    settings_with_decks: Settings, clock: FakeClock
) -> None:
    closed_port = free_port()  # nothing listens here
    with mail_client(settings_with_decks, clock, closed_port) as client:
        cid, url = with_link(client)
        refused = send(client, cid, TO)
        assert refused.status_code == 502
        assert refused.text.lstrip().startswith('<div id="share-area"')
        assert "The e-mail could not be sent: the mail server did not answer" in refused.text
        assert 'role="alert"' in refused.text and f'value="{TO}"' in refused.text
        assert url in refused.text  # the QR code and the link are still there
        danish = send(client, cid, TO, lang="da")
        assert "E-mailen kunne ikke sendes" in danish.text
        assert client.get(url.removeprefix("http://testserver")).status_code == 200
        assert "share_email" not in [e.action for e in audit(client)]


def test_bad_address_is_refused_and_nothing_is_sent(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid, _ = with_link(client, email="")
        panel = client.get(f"/conversations/{cid}/share?lang=en", headers=PARTIAL).text
        assert 'name="email" type="email"' in panel and 'value=""' in panel
        for bad in ("", "ikke en adresse", "a@b", "x@example.org, y@example.org"):
            refused = send(client, cid, bad)
            assert refused.status_code == 422, bad
            assert "Enter a valid e-mail address." in refused.text
    assert handler.envelopes == []


def test_withdrawn_link_is_not_sent(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid, _ = with_link(client)
        client.post(
            f"/conversations/{cid}/share/revoke", headers={**PARTIAL, "x-csrftoken": client.csrf}
        )
        panel = client.get(f"/conversations/{cid}/share?lang=en", headers=PARTIAL).text
        assert "Send the link by e-mail" not in panel  # no link, nothing to send
        refused = send(client, cid, TO)
        assert refused.status_code == 422 and "Show a new QR code first." in refused.text
    assert handler.envelopes == []


def test_without_smtp_the_form_is_not_shown_and_nothing_is_sent(decks_client: Client) -> None:
    cid, _ = with_link(decks_client)
    panel = decks_client.get(f"/conversations/{cid}/share?lang=en", headers=PARTIAL).text
    assert "/r/" in panel and "Send the link by e-mail" not in panel
    refused = send(decks_client, cid, TO)
    assert refused.status_code == 422
    assert "Sending e-mail is not set up on this server." in refused.text
    assert "share_email" not in [e.action for e in audit(decks_client)]


def test_another_leader_cannot_send_the_link(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid, _ = with_link(client)
        add_user(client, "anden@example.org")
        client.login("anden@example.org")
        assert send(client, cid, TO).status_code == 404
    assert handler.envelopes == []
