"""The one exception a user can cause; its message is translated where it is shown."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A broken rule. ``message`` is a msgid marked with ``N_()``; ``params`` fill it in."""

    def __init__(self, message: str, status_code: int = 422, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
        self.status_code = status_code


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated when rendered."""
    return message


class NotFound(Exception):
    """Not there, or not yours: both answer 404, so nobody learns what others have."""
