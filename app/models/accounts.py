from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class Role(StrEnum):
    leader = "leader"
    facilitator = "facilitator"
    admin = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    @property
    def is_invited(self) -> bool:
        """Invited, the invitation not yet accepted: no password has been chosen."""
        return self.password_hash == ""


class LoginFailure(SQLModel, table=True):
    """One failed login; counted per account and per address, so all processes share it.
    An attempt is stored before its password is checked (``checked`` false) and counts for
    its account from then on; it is deleted when the password was right."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    checked: bool = Field(default=True)


class SetupToken(SQLModel, table=True):
    """The one-time link that creates the first admin. Only the token's hash is stored."""

    __tablename__ = "setup_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginSession(SQLModel, table=True):
    """A logged-in browser (DESIGN §6). The cookie holds a random token; only its SHA-256 is
    stored, so a copy of this table opens nothing. Ended by logout, by the user's password
    change or "log out everywhere", and by the admin; the idle and absolute limits are checked
    on every request against ``last_seen_at`` and ``created_at``."""

    __tablename__ = "sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    address: str = Field(default="", max_length=64)


class TokenPurpose(StrEnum):
    invite = "invite"
    reset = "reset"


class AccountToken(SQLModel, table=True):
    """A one-time link an admin made: an invitation (the invitee chooses a password) or a
    password reset. Only the token's hash is stored, so a copy of the database opens nothing."""

    __tablename__ = "account_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    # None: asked for on the login page ("Forgot password?"), not made by an admin.
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class TwoStep(SQLModel, table=True):
    """An admin's authenticator app (TOTP, RFC 6238). The shared secret is stored encrypted
    with a key derived from the app's secret key (app.accounts.two_step), so a copy of the
    database alone cannot make codes. ``enabled_at`` is None while the admin is still setting
    it up; ``last_step`` is the 30-second time step of the last code accepted, so that no code
    opens anything twice."""

    __tablename__ = "two_step"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    secret: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    enabled_at: datetime | None = None
    last_step: int = Field(default=0, sa_type=BigInteger)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the authenticator app (a lost phone). Shown once at
    set-up; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


class ResetRequest(SQLModel, table=True):
    """One "Forgot password?" request that was answered with a mail (or would have been, for
    an address without an account), counted per address and per e-mail address so that the
    limit holds across processes. Rows older than the counting window are deleted as new ones
    come."""

    __tablename__ = "reset_requests"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
