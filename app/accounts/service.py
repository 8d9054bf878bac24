"""Accounts: passwords, login with rate limiting, the user's own page, the first admin's
setup link."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.accounts import passwords, sessions, two_step
from app.db import write_transaction, writes
from app.errors import N_, DomainError
from app.models import LoginFailure, Role, SetupToken, User

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
check_password_rules = passwords.check_password_rules
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


ROLE_NAMES = {
    Role.leader: N_("Leader"),
    Role.facilitator: N_("Facilitator"),
    Role.admin: N_("Administrator"),
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


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


# Failures at one account, from any address, slow its next logins down rather than lock it:
# a stranger who knows an e-mail address must not be able to lock its owner out. The first few
# cost nothing, then each doubles the wait, up to the cap.
FREE_FAILURES = 3
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 5.0


def login_delay(failures: int) -> float:
    """Seconds to wait before checking a password, after ``failures`` at its account."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * float(2 ** (failures - FREE_FAILURES)))


@dataclass(frozen=True, slots=True)
class Attempt:
    """A login attempt, stored and counted; its password not yet checked."""

    id: int
    email: str
    delay: float
    # Read with the count, so that nothing holds a transaction open through the slow hash.
    user_id: int | None
    password_hash: str
    at: datetime  # when it was made: the user's last login, if it succeeds


def begin_login(
    session: Session,
    *,
    email: str,
    address: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> Attempt:
    """Counts the attempt before its password is checked. Refused (429) after ``max_failures``
    at this account from this address, or from this address at any account; failures at the
    account from elsewhere only make the answer slower (``Attempt.delay``)."""
    email = normalise_email(email)
    since = now - window
    # The account's row is locked until the attempt is stored, so attempts at one account
    # are counted one after the other: SQLite's BEGIN IMMEDIATE does that for every write,
    # PostgreSQL's READ COMMITTED needs the row lock (FOR UPDATE; SQLite leaves it out).
    with write_transaction(session):
        user = session.exec(select(User).where(User.email == email).with_for_update()).first()
        recent = LoginFailure.created_at >= since
        per_account = session.exec(
            select(func.count()).where(LoginFailure.email == email, recent)
        ).one()
        per_pair = session.exec(
            select(func.count()).where(
                LoginFailure.email == email, LoginFailure.address == address[:64], recent
            )
        ).one()
        # Per address only what failed: leaders behind one office address log in at once.
        per_address = session.exec(
            select(func.count()).where(
                LoginFailure.address == address[:64], recent, col(LoginFailure.checked)
            )
        ).one()
        if per_pair >= max_failures or per_address >= max_failures:
            raise TooManyAttempts()
        # Each attempt counts against its account before its password is checked, stored in
        # the transaction that counted: attempts sent at once are counted one after the
        # other, so no burst slips past the limit (or the delay) while the hashes run.
        attempt = LoginFailure(
            email=email[:254], address=address[:64], created_at=now, checked=False
        )
        session.add(attempt)
        session.flush()
    assert attempt.id is not None
    known = user is not None and user.is_active
    return Attempt(
        id=attempt.id,
        email=email,
        delay=login_delay(per_account),
        user_id=user.id if user is not None and known else None,
        password_hash=user.password_hash if user is not None and known else _DUMMY_HASH,
        at=now,
    )


def finish_login(session: Session, attempt: Attempt, *, password: str) -> User:
    """The user, or a DomainError that says the same for an unknown e-mail and a wrong password."""
    # argon2 runs outside any transaction, being slow on purpose: holding SQLite's write lock
    # through it, twenty leaders logging in at once would keep every tap waiting behind
    # them, the last ones failing "database is locked".
    ok = _verify(attempt.password_hash, password) and attempt.user_id is not None
    if not ok:
        with write_transaction(session):
            session.execute(
                update(LoginFailure).where(col(LoginFailure.id) == attempt.id).values(checked=True)
            )
        raise DomainError(N_("Wrong e-mail or password."), status_code=400)
    new_hash = _hash(password) if _hasher.check_needs_rehash(attempt.password_hash) else None
    with write_transaction(session):
        session.execute(delete(LoginFailure).where(col(LoginFailure.id) == attempt.id))
        user = session.get(User, attempt.user_id)
        if user is None or not user.is_active:  # deactivated while the hash ran
            raise DomainError(N_("Wrong e-mail or password."), status_code=400)
        if not two_step.is_on(session, user.id or 0):
            # With two-step login on, the login happens only once the code is right.
            user.last_login_at = attempt.at
        if new_hash is not None:
            user.password_hash = new_hash
        session.add(user)
    return user


def finish_second_step(
    session: Session,
    attempt: Attempt,
    *,
    user_id: int,
    code: str,
    keys: Sequence[str],
    address: str,
) -> User:
    """The user, once the code from their authenticator app (or a recovery code) is right.
    A wrong code is a failed login, counted like a wrong password (begin_login() counted
    the attempt)."""
    try:
        with write_transaction(session):
            two_step.check_code(
                session,
                user_id=user_id,
                code=code,
                keys=keys,
                now=attempt.at,
                address=address,
            )
            session.execute(delete(LoginFailure).where(col(LoginFailure.id) == attempt.id))
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                raise two_step.PendingGone()
            user.last_login_at = attempt.at
            session.add(user)
    except DomainError:
        with write_transaction(session):
            session.execute(
                update(LoginFailure).where(col(LoginFailure.id) == attempt.id).values(checked=True)
            )
        raise
    return user


def turn_off_two_step(
    session: Session,
    *,
    user_id: int,
    password: str,
    code: str,
    keys: Sequence[str],
    address: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> None:
    """Two-step login off, after the password (counted like a login, so a stolen session
    cannot guess it) and a current code."""
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(N_("Wrong e-mail or password."), status_code=400)
    try:
        authenticate(
            session,
            email=user.email,
            password=password,
            address=address,
            now=now,
            max_failures=max_failures,
            window=window,
        )
    except TooManyAttempts:
        raise
    except DomainError:
        raise DomainError(N_("The current password is not right."), status_code=400) from None
    two_step.turn_off(session, user_id=user_id, code=code, keys=keys, now=now, address=address)


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
    """begin_login() and finish_login() without the wait between them: for the password change
    (its user is logged in already) and for tests. The login page waits (app.accounts.routes)."""
    attempt = begin_login(
        session, email=email, address=address, now=now, max_failures=max_failures, window=window
    )
    return finish_login(session, attempt, password=password)


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


def change_password(
    session: Session,
    *,
    user_id: int,
    current: str,
    new: str,
    address: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> str:
    """The user's new password, after the current one, counted like a login so that a stolen
    session cannot guess it. Every session of the user ends, the one that asked too: it goes on
    with the new session whose token this returns (a new id on a change of password)."""
    check_password_rules(new)
    user = session.get(User, user_id)
    if user is None:
        raise DomainError(N_("Wrong e-mail or password."), status_code=400)
    try:
        authenticate(
            session,
            email=user.email,
            password=current,
            address=address,
            now=now,
            max_failures=max_failures,
            window=window,
        )
    except TooManyAttempts:
        raise
    except DomainError:
        raise DomainError(N_("The current password is not right."), status_code=400) from None
    new_hash = _hash(new)  # slow on purpose: before the write transaction
    with write_transaction(session):
        stored = session.get(User, user_id)
        assert stored is not None
        stored.password_hash = new_hash
        session.add(stored)
        sessions.end_sessions(session, user_id, now=now)
        return sessions.start_session(session, user_id=user_id, now=now, address=address)


def hash_password(password: str) -> str:
    """The hash to store for a new password, after the password rules: slow on purpose, so
    callers run it before their write transaction."""
    check_password_rules(password)
    return _hash(password)
