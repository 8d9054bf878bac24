"""E-mailing the employee's copy link (DESIGN §4): settings, the address check, the text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from app import mail
from app.errors import DomainError
from app.records import share
from tests.support import make_settings


def test_smtp_is_off_by_default_and_an_empty_host_means_off(tmp_path: Path) -> None:
    assert make_settings(tmp_path).email_enabled is False
    assert mail.SmtpConfig.from_settings(make_settings(tmp_path)) is None
    assert make_settings(tmp_path, smtp_host=" ").email_enabled is False


def test_smtp_host_needs_a_sender_address(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="smtp_from"):
        make_settings(tmp_path, smtp_host="mail.example.org")
    settings = make_settings(tmp_path, smtp_host="mail.example.org", smtp_from="a@example.org")
    config = mail.SmtpConfig.from_settings(settings)
    assert config and config.port == 587 and config.starttls and config.sender == "a@example.org"


@pytest.mark.parametrize(
    "bad", ["", "x", "a@b", "@example.org", "a b@example.org", "a@x.dk, b@y.dk"]
)
def test_valid_address_refuses_what_is_not_one_address(bad: str) -> None:
    with pytest.raises(DomainError):
        share.valid_address(bad)


def test_valid_address_trims() -> None:
    assert share.valid_address("  m.ærø@example.dk ") == "m.ærø@example.dk"


def test_mail_text_is_danish_then_english_with_the_link_and_expiry() -> None:
    subject, body = share.mail_text(
        leader="Leder Åby",
        on=date(2026, 12, 1),
        url="https://example.org/r/abcdefghjkmn",
        until=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
    )
    assert subject == "Din kopi af samtalen · Your copy of the conversation"
    assert body.index("Hej,") < body.index("Hello,")
    assert body.count("https://example.org/r/abcdefghjkmn") == 2
    assert "til 8. december 2026" in body and "until 8 December 2026" in body
