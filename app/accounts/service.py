"""Accounts: passwords, login with rate limiting, the first admin's setup link."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import write_transaction, writes
from app.errors import N_, DomainError
from app.models import LoginFailure, Role, SetupToken, User

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Each argon2 hash holds memory_cost (64 MiB) while it runs, on several lanes already, and
# logins run in worker threads: twenty leaders logging in at once took the server to 1.4 GB
# resident against a budget of 300 MB (DESIGN §8). One hash at a time.
_ONE_HASH_AT_A_TIME = threading.Lock()
# Verifying against this keeps an unknown e-mail as slow as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class TooManyAttempts(DomainError):
    def __init__(self) -> None:
        super().__init__(
            N_("Too many failed logins. Wait 15 minutes, then try again."), status_code=429
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("The password must be at least %(n)d characters long."), n=MIN_PASSWORD_LENGTH
        )


def create_user(
    session: Session, *, email: str, name: str, role: Role | str, password: str
) -> User:
    new = _checked_new_user(email=email, name=name, role=role, password=password)
    with write_transaction(session):
        return _add_user(session, new)


def _checked_new_user(*, email: str, name: str, role: Role | str, password: str) -> User:
    """A user to add, checked, its password hashed: before the write transaction, so that the
    slow hash never holds the write lock."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise DomainError(N_("Enter a valid e-mail address."))
    if not name.strip():
        raise DomainError(N_("Enter a name."))
    if role not in set(Role):
        raise DomainError(N_("Unknown role."))
    check_password_rules(password)
    return User(email=email, name=name.strip(), role=str(role), password_hash=_hash(password))


def _add_user(session: Session, user: User) -> User:
    if session.exec(select(User).where(User.email == user.email)).first():
        raise DomainError(N_("A user with that e-mail address already exists."))
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    address: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> User:
    """The user, or a DomainError that says the same for an unknown e-mail and a wrong password."""
    email = normalise_email(email)
    since = now - window
    # The account's row is locked until the attempt is stored, so attempts at one account
    # are counted one after the other: SQLite's BEGIN IMMEDIATE does that for every write,
    # PostgreSQL's READ COMMITTED needs the row lock (FOR UPDATE; SQLite leaves it out).
    with write_transaction(session):
        user = session.exec(select(User).where(User.email == email).with_for_update()).first()
        per_account = session.exec(
            select(func.count()).where(
                LoginFailure.email == email, LoginFailure.created_at >= since
            )
        ).one()
        # Per address only what failed: leaders behind one office address log in at once.
        per_address = session.exec(
            select(func.count()).where(
                LoginFailure.address == address,
                LoginFailure.created_at >= since,
                col(LoginFailure.checked),
            )
        ).one()
        if per_account >= max_failures or per_address >= max_failures:
            raise TooManyAttempts()
        # Each attempt counts against its account before its password is checked, stored in
        # the transaction that counted: attempts sent at once are counted one after the
        # other, so no burst slips past the limit while the hashes run.
        attempt = LoginFailure(
            email=email[:254], address=address[:64], created_at=now, checked=False
        )
        session.add(attempt)
    # argon2 runs after the transaction, being slow on purpose: holding SQLite's write lock
    # through it, twenty leaders logging in at once would keep every tap waiting behind
    # them, the last ones failing "database is locked".
    known = user is not None and user.is_active
    password_hash = user.password_hash if user is not None and known else _DUMMY_HASH
    ok = _verify(password_hash, password) and known
    if not ok or user is None:
        with write_transaction(session):
            attempt.checked = True
            session.add(attempt)
        raise DomainError(N_("Wrong e-mail or password."), status_code=400)
    new_hash = _hash(password) if _hasher.check_needs_rehash(password_hash) else None
    with write_transaction(session):
        session.delete(attempt)
        user.last_login_at = now
        if new_hash is not None:
            user.password_hash = new_hash
            session.add(user)
    return user


def _hash(password: str) -> str:
    with _ONE_HASH_AT_A_TIME:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        with _ONE_HASH_AT_A_TIME:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def has_users(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@writes
def issue_setup_token(session: Session, *, now: datetime, valid_for: timedelta) -> str | None:
    """A fresh one-time setup token while no user exists; earlier unused tokens stop working."""
    if has_users(session):
        return None
    for old in session.exec(select(SetupToken).where(col(SetupToken.used_at).is_(None))):
        old.expires_at = min(old.expires_at, now)
        session.add(old)
    token = secrets.token_urlsafe(32)
    session.add(
        SetupToken(token_hash=_hash_token(token), created_at=now, expires_at=now + valid_for)
    )
    return token


def check_setup_token(session: Session, *, token: str, now: datetime) -> SetupToken:
    row = session.exec(
        select(SetupToken).where(SetupToken.token_hash == _hash_token(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now or has_users(session):
        raise DomainError(
            N_("This setup link has expired or has already been used."), status_code=410
        )
    return row


def create_first_admin(
    session: Session, *, token: str, email: str, name: str, password: str, now: datetime
) -> User:
    check_setup_token(session, token=token, now=now)  # before the slow hash of the password
    new = _checked_new_user(email=email, name=name, role=Role.admin, password=password)
    with write_transaction(session):
        row = check_setup_token(session, token=token, now=now)
        row.used_at = now
        session.add(row)
        return _add_user(session, new)


def hash_password(password: str) -> str:
    """The hash to store for a new password, after the password rules: slow on purpose, so
    callers run it before their write transaction."""
    check_password_rules(password)
    return _hash(password)
