"""Records (DESIGN §4, §6): the employee's copy link and the audit log of exports and uses."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow

# The address of the request being answered, set by app.security.RequestAddress; empty for
# work that no request asked for (the command line). Every audit entry takes it as its own.
REQUEST_ADDRESS: ContextVar[str] = ContextVar("request_address", default="")


def _request_address() -> str:
    return REQUEST_ADDRESS.get()


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
    # The address the request came from (the app's one address helper): who, when, what, where.
    address: str = Field(default_factory=_request_address, max_length=64)


# The database itself keeps the audit log append-only (migration 0010): a trigger on
# audit_events refuses every UPDATE, and every DELETE of an entry younger than the audit
# retention held in the one row of this table, read by the trigger against the database's own
# clock. The retention purge can therefore delete only what is due, and nothing else in the
# app, by mistake or by an injected statement, can change or thin out the log. With the row
# missing the trigger keeps everything for a thousand years: it fails closed.
DEFAULT_RETENTION_YEARS = 5


class AuditRetention(SQLModel, table=True):
    """How long audit entries are kept: one row (id 1), written from the settings at start."""

    __tablename__ = "audit_retention"
    __table_args__ = (
        CheckConstraint("id = 1", name="audit_retention_one_row"),
        CheckConstraint("audit_years >= 1", name="audit_retention_at_least_a_year"),
    )

    id: int = Field(default=1, primary_key=True)
    audit_years: int = DEFAULT_RETENTION_YEARS
