"""Sending e-mail through the configured SMTP server: the employee's copy link (DESIGN §4),
an invitation and a password-reset link (issue 14). Below every area, so each can use it.

Off unless ``smtp_host`` is set. An e-mail carries a link only: never the PDF, never a word
of the conversation, so a mail forwarded or kept in an inbox holds no more than the link,
which expires. The meeting invitation (app.records.invitation) carries its ``.ics``: when,
where and with whom, still no word of the conversation. ``smtplib`` blocks: callers run in
a worker thread.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from app.config import Settings


class MailNotSent(Exception):
    """The server could not be reached or refused the message; ``kind`` names the failure
    (an exception class name: never an address or the server's text)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.smtp_from,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )


def compose(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)  # text/plain, UTF-8: æøå as they are
    return message


def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Deliver ``message`` or raise ``MailNotSent``; the connection is closed either way."""
    try:
        with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
            if config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as problem:
        # OSError covers a refused connection, a time-out and a TLS failure.
        raise MailNotSent(type(problem).__name__) from problem
