"""A real SMTP server on a free port that keeps what it receives (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.browser import free_port


@dataclass
class Inbox:
    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes
        ]


@contextmanager
def running_inbox() -> Iterator[tuple[Inbox, int]]:
    """The inbox and its port, for as long as the block runs."""
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
