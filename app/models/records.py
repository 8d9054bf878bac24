"""Records (DESIGN §4, §6): the employee's copy link and the audit log of exports and uses."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.clock import utcnow


class RecordShare(SQLModel, table=True):
    """A short link that lets the employee download their record on their own phone.

    Single-purpose (it opens one conversation's PDF, nothing else), expiring and revocable.
    The token is kept as it is, not hashed, so that the leader can show the QR code again on
    the tablet while the link is valid; it opens nothing that is not in the same database.
    """

    __tablename__ = "record_shares"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    token: str = Field(max_length=32, unique=True)
    created_by: int = Field(foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    uses: int = 0
    last_used_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who exported, viewed or opened what, and when. Never the employee's words.

    ``conversation_id`` and ``employee_id`` are plain numbers, not foreign keys: the log
    outlives an erased conversation, and then tells that the export happened, not what it held.
    """

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    # The logged-in user, or None when the employee used a share link.
    user_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=20)  # "user" | "share_link"
    action: str = Field(max_length=40)
    format: str = Field(default="", max_length=20)
    conversation_id: int | None = Field(default=None, index=True)
    employee_id: int | None = Field(default=None, index=True)
    share_id: int | None = None
    # Account actions (issue 14): the account acted on, and the address the request came from.
    subject_user_id: int | None = Field(default=None, index=True)
    address: str = Field(default="", max_length=64)
