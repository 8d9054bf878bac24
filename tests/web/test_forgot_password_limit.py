""" "Forgot password?" sends at most a few mails an hour per address and per account; beyond
that the page answers the same and sends nothing (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.support import Client, FakeClock, add_user, make_client, make_settings
from tests.support.smtp import Inbox, running_inbox

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

LEADER = "leder@example.org"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with running_inbox() as running:
        yield running


@pytest.fixture
def mail_client(settings: Settings, clock: FakeClock, inbox: tuple[Inbox, int]) -> Iterator[Client]:
    mailing = make_settings(
        settings.data_dir,
        database_url=settings.database_url,
        base_url="http://arbejdsglaede.test",
        smtp_host="127.0.0.1",
        smtp_port=inbox[1],
        smtp_from="arbejdsglaede@example.org",
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    with make_client(mailing, clock) as client:
        add_user(client, LEADER, name="Lars Leder")
        yield client


def from_address(client: Client, address: str) -> Client:
    return Client(client.app, client=(address, 4000))


def forgot(client: Client, email: str) -> str:
    response = client.post_form("/forgot-password?lang=en", {"email": email})
    assert response.status_code == 200
    # The page's main part: the head carries each client's own CSRF token.
    return response.text.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_fourth_request_for_one_account_in_an_hour_sends_nothing(
    mail_client: Client, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, _ = inbox
    answers = [forgot(from_address(mail_client, f"192.0.2.{i}"), LEADER) for i in range(4)]
    assert len(set(answers)) == 1  # the same neutral answer, sent or not
    assert "If the address belongs to an account" in answers[0]
    assert len(handler.envelopes) == 3
    clock.advance(minutes=61)
    forgot(from_address(mail_client, "192.0.2.1"), LEADER)
    assert len(handler.envelopes) == 4


def test_a_sixth_request_from_one_address_in_an_hour_sends_nothing(
    mail_client: Client, inbox: tuple[Inbox, int]
) -> None:
    handler, _ = inbox
    asker = from_address(mail_client, "198.51.100.7")
    for i in range(5):
        forgot(asker, f"nobody{i}@example.org")
    forgot(asker, LEADER)
    assert handler.envelopes == []
    forgot(from_address(mail_client, "198.51.100.8"), LEADER)
    assert len(handler.envelopes) == 1
