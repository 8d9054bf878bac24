"""Accounts in the browser (issue 14, DESIGN §2, §6): invitations and password-reset links,
roles, deactivation, and the handover of a leader's employees to another leader.

Every account action writes an audit entry (who, when, what, from which address), never a
password or a token. A link's token is shown once and only its hash is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.accounts import sessions, two_step
from app.accounts.service import hash_password, normalise_email
from app.db import rows_changed, write_transaction, writes
from app.errors import N_, DomainError, NotFound
from app.models import (
    AccountToken,
    AuditEvent,
    Conversation,
    Employee,
    EmployeeEvent,
    ResetRequest,
    Role,
    TokenPurpose,
    User,
)

# What the audit log calls each account action (the labels live in app/records/audit.py).
INVITED = "user_invited"
ACCEPTED = "invite_accepted"
ROLE_CHANGED = "role_changed"
DEACTIVATED = "user_deactivated"
REACTIVATED = "user_reactivated"
RESET_LINK_MADE = "reset_link_made"
RESET_REQUESTED = "reset_requested"
PASSWORD_SET = "password_set_by_link"
HANDOVER = "handover"


class LinkGone(DomainError):
    """A used, expired or unknown link: one answer for all three, so a guess learns nothing."""

    def __init__(self) -> None:
        super().__init__(N_("This link has expired or has already been used."), status_code=410)


def _audit(
    session: Session,
    *,
    action: str,
    at: datetime,
    actor_id: int | None,
    address: str,
    subject_user_id: int | None = None,
    employee_id: int | None = None,
) -> None:
    # The entry records.audit.log() would write; app.records stands above this area
    # (docs/architecture.md), so the table is written here directly. Ids only: never a
    # password, a token or a word of a conversation.
    session.add(
        AuditEvent(
            at=at,
            user_id=actor_id,
            actor="user" if actor_id is not None else "anonymous",
            action=action,
            subject_user_id=subject_user_id,
            employee_id=employee_id,
            address=address[:64],
        )
    )


def _after_role_or_state_change(session: Session, user_id: int) -> None:
    """Every session of the user ends, so a changed role, a deactivation or a password set
    through a link takes effect at the user's next request, in every process. Called inside
    the write transaction that made the change; after a password set through a link the route
    logs the user in afresh, after this."""
    sessions.end_sessions(session, user_id)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # A column without a time zone may come back without one: it holds UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _new_link(
    session: Session,
    *,
    user_id: int,
    purpose: TokenPurpose,
    created_by: int | None,
    now: datetime,
    valid_for: timedelta,
) -> str:
    """A fresh one-time token; the user's earlier unused links of the same kind stop working,
    so only the newest link shown or sent opens anything."""
    for old in session.exec(
        select(AccountToken).where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            col(AccountToken.used_at).is_(None),
        )
    ):
        old.used_at = now
        session.add(old)
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=str(purpose),
            token_hash=_hash_token(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return token


# The largest id a database column holds: a larger number names nothing (and would make
# the database driver fail instead of answering "not found").
MAX_ID = 2**63 - 1


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound()
    return user


def _check_role(role: str) -> str:
    if role not in set(Role):
        raise DomainError(N_("Unknown role."))
    return role


def _active_admins(session: Session) -> int:
    return session.exec(
        select(func.count()).where(
            User.role == Role.admin, col(User.is_active), User.password_hash != ""
        )
    ).one()


def _is_last_active_admin(session: Session, user: User) -> bool:
    counts = user.role == Role.admin and user.is_active and not user.is_invited
    return counts and _active_admins(session) <= 1


@dataclass(frozen=True)
class Invitation:
    user: User
    token: str


@writes
def invite_user(
    session: Session,
    *,
    admin_id: int,
    email: str,
    name: str,
    role: str,
    now: datetime,
    valid_for: timedelta,
    address: str,
) -> Invitation:
    """A new account without a password and a one-time link where the invitee chooses one.
    An e-mail address that already has an account (or an open invitation) is refused."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or " " in email:
        raise DomainError(N_("Enter a valid e-mail address."))
    name = " ".join(name.split())
    if not name:
        raise DomainError(N_("Enter a name."))
    if len(name) > 200:
        raise DomainError(N_("The name is too long."))
    _check_role(role)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise DomainError(
            N_("%(email)s already has an account. Make a password reset link for it instead."),
            email=email,
        )
    # An empty hash matches no password: the account opens only through the link.
    user = User(email=email, name=name, role=role, password_hash="", created_at=now)
    session.add(user)
    session.flush()
    assert user.id is not None
    token = _new_link(
        session,
        user_id=user.id,
        purpose=TokenPurpose.invite,
        created_by=admin_id,
        now=now,
        valid_for=valid_for,
    )
    _audit(
        session, action=INVITED, at=now, actor_id=admin_id, address=address, subject_user_id=user.id
    )
    return Invitation(user=user, token=token)


@writes
def make_reset_link(
    session: Session,
    *,
    admin_id: int,
    user_id: int,
    now: datetime,
    invite_valid_for: timedelta,
    reset_valid_for: timedelta,
    address: str,
) -> Invitation:
    """A one-time link where the user sets a new password. For an invitation not yet
    accepted it is a new invitation link (the old one stops working)."""
    user = _user(session, user_id)
    if not user.is_active:
        raise DomainError(N_("Reactivate the user before making a link for them."))
    invited = user.is_invited
    token = _new_link(
        session,
        user_id=user_id,
        purpose=TokenPurpose.invite if invited else TokenPurpose.reset,
        created_by=admin_id,
        now=now,
        valid_for=invite_valid_for if invited else reset_valid_for,
    )
    _audit(
        session,
        action=INVITED if invited else RESET_LINK_MADE,
        at=now,
        actor_id=admin_id,
        address=address,
        subject_user_id=user_id,
    )
    return Invitation(user=user, token=token)


@dataclass(frozen=True)
class ResetLimits:
    """How many "Forgot password?" requests an hour pass, per asking address and per e-mail
    address asked for."""

    per_address: int
    per_account: int
    window: timedelta = timedelta(hours=1)


# The settings' defaults (forgot_password_per_address, forgot_password_per_account).
DEFAULT_RESET_LIMITS = ResetLimits(per_address=5, per_account=3)


def purge_reset_requests(
    session: Session, *, now: datetime, window: timedelta = DEFAULT_RESET_LIMITS.window
) -> int:
    """Deletes the "Forgot password?" requests no limit counts any more. Each names an e-mail
    address and the address that asked: kept no longer than the limit needs them, also when
    nobody asks again (``arbejdsglaede purge``). Returns how many went."""
    result = session.execute(
        delete(ResetRequest).where(col(ResetRequest.created_at) < now - window)
    )
    return rows_changed(result)


@writes
def request_reset(
    session: Session,
    *,
    email: str,
    now: datetime,
    valid_for: timedelta,
    address: str,
    limits: ResetLimits = DEFAULT_RESET_LIMITS,
) -> Invitation | None:
    """ "Forgot password?": a reset link for an active account with a password, None for any
    other address, and None beyond the limits (so nobody can flood an inbox or the mail
    server). The page answers the same either way; only the audit log knows. Every request
    that passes the limits counts, whether the address has an account or not, so the count
    tells nothing either."""
    email = normalise_email(email)[:254]
    # Counted in the database, so the limit holds across processes; what is older than the
    # window counts no more and goes.
    purge_reset_requests(session, now=now, window=limits.window)
    per_address = session.exec(
        select(func.count()).where(ResetRequest.address == address[:64])
    ).one()
    per_account = session.exec(select(func.count()).where(ResetRequest.email == email)).one()
    if per_address >= limits.per_address or per_account >= limits.per_account:
        return None
    session.add(ResetRequest(email=email, address=address[:64], created_at=now))
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None or user.id is None or not user.is_active or user.is_invited:
        return None
    token = _new_link(
        session,
        user_id=user.id,
        purpose=TokenPurpose.reset,
        created_by=None,
        now=now,
        valid_for=valid_for,
    )
    _audit(
        session,
        action=RESET_REQUESTED,
        at=now,
        actor_id=None,
        address=address,
        subject_user_id=user.id,
    )
    return Invitation(user=user, token=token)


def check_link(session: Session, *, token: str, purpose: TokenPurpose, now: datetime) -> User:
    """The active user a valid, unused link of ``purpose`` opens; LinkGone otherwise."""
    if not token or len(token) > 200:
        raise LinkGone()
    row = session.exec(
        select(AccountToken).where(
            AccountToken.token_hash == _hash_token(token), AccountToken.purpose == purpose
        )
    ).first()
    if row is None or row.used_at is not None or _aware(row.expires_at) <= now:
        raise LinkGone()
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise LinkGone()
    return user


def set_password_by_link(
    session: Session,
    *,
    token: str,
    purpose: TokenPurpose,
    password: str,
    now: datetime,
    address: str,
) -> User:
    """The link's user gets ``password`` (the usual password rules) and the link is used up.
    The slow hash runs between the check and the write, never inside the write."""
    check_link(session, token=token, purpose=purpose, now=now)
    password_hash = hash_password(password)
    with write_transaction(session):
        user = check_link(session, token=token, purpose=purpose, now=now)
        for row in session.exec(
            select(AccountToken).where(
                AccountToken.user_id == user.id, col(AccountToken.used_at).is_(None)
            )
        ):
            # Every open link of the user ends: the password they set is now the way in.
            row.used_at = now
            session.add(row)
        user.password_hash = password_hash
        user.last_login_at = now  # they are logged in at once
        session.add(user)
        action = ACCEPTED if purpose == TokenPurpose.invite else PASSWORD_SET
        _audit(
            session,
            action=action,
            at=now,
            actor_id=user.id,
            address=address,
            subject_user_id=user.id,
        )
        assert user.id is not None
        _after_role_or_state_change(session, user.id)
    return user


@writes
def change_role(
    session: Session, *, admin_id: int, user_id: int, role: str, now: datetime, address: str
) -> User:
    """A new role for a user; the last active admin stays an admin. Unchanged changes nothing."""
    user = _user(session, user_id)
    _check_role(role)
    if user.role == role:
        return user
    if role != Role.admin and _is_last_active_admin(session, user):
        raise DomainError(
            N_("This is the last active admin. Make another user an admin first."),
            status_code=409,
        )
    user.role = role
    session.add(user)
    _audit(
        session,
        action=ROLE_CHANGED,
        at=now,
        actor_id=admin_id,
        address=address,
        subject_user_id=user_id,
    )
    _after_role_or_state_change(session, user_id)
    return user


@writes
def set_active(
    session: Session, *, admin_id: int, user_id: int, active: bool, now: datetime, address: str
) -> User:
    """Deactivate or reactivate a user. An admin cannot deactivate themself, and the last
    active admin stays active. A double tap changes nothing."""
    user = _user(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user_id == admin_id:
            raise DomainError(
                N_("You cannot deactivate yourself. Ask another admin to do it."),
                status_code=409,
            )
        if _is_last_active_admin(session, user):
            raise DomainError(
                N_("This is the last active admin. Make another user an admin first."),
                status_code=409,
            )
    user.is_active = active
    session.add(user)
    _audit(
        session,
        action=REACTIVATED if active else DEACTIVATED,
        at=now,
        actor_id=admin_id,
        address=address,
        subject_user_id=user_id,
    )
    _after_role_or_state_change(session, user_id)
    return user


@writes
def hand_over(
    session: Session,
    *,
    admin_id: int,
    from_leader_id: int,
    to_leader_id: int,
    employee_ids: Sequence[int] | None,
    now: datetime,
    address: str,
) -> list[int]:
    """Move employees (the chosen ones, or all when ``employee_ids`` is None) of one leader,
    with every conversation and through them every agreement, to another active leader.
    The old leader keeps nothing of theirs; each employee's history and the audit log say
    who moved them from whom to whom. Returns the moved employees' ids."""
    _user(session, from_leader_id)
    to_leader = session.get(User, to_leader_id) if 0 < to_leader_id <= MAX_ID else None
    if to_leader is None or not to_leader.is_active or to_leader.is_invited:
        raise DomainError(N_("Choose an active leader to hand the employees over to."))
    if to_leader_id == from_leader_id:
        raise DomainError(N_("Choose another leader than the one the employees have now."))
    query = select(Employee).where(Employee.leader_id == from_leader_id)
    if employee_ids is not None:
        if not employee_ids:
            raise DomainError(N_("Choose at least one employee."))
        query = query.where(col(Employee.id).in_([i for i in employee_ids if 0 < i <= MAX_ID]))
    employees = list(session.exec(query.order_by(col(Employee.id))))
    if employee_ids is not None and len(employees) != len(set(employee_ids)):
        # An employee of another leader, or one already moved by another admin.
        raise DomainError(
            N_("Some of the chosen employees no longer belong to this leader. Reload the page."),
            status_code=409,
        )
    if not employees:
        raise DomainError(N_("This leader has no employees to hand over."))
    taken = {
        name.casefold()
        for name in session.exec(select(Employee.name).where(Employee.leader_id == to_leader_id))
    }
    clash = sorted(e.name for e in employees if e.name.casefold() in taken)
    if clash:
        raise DomainError(
            N_(
                "The new leader already has an employee called %(name)s. Rename one of them "
                "on the Employees page first."
            ),
            name=clash[0],
        )
    moved = [e.id for e in employees if e.id is not None]
    # Every conversation of the employee, whoever held it: agreements, picks, notes and
    # share links hang on the conversation and follow it.
    for conversation in session.exec(
        select(Conversation).where(col(Conversation.employee_id).in_(moved))
    ):
        conversation.leader_id = to_leader_id
        session.add(conversation)
    for employee in employees:
        employee.leader_id = to_leader_id
        session.add(employee)
        session.add(
            EmployeeEvent(
                employee_id=employee.id or 0,
                at=now,
                kind="handover",
                from_user_id=from_leader_id,
                to_user_id=to_leader_id,
                by_user_id=admin_id,
            )
        )
        _audit(
            session,
            action=HANDOVER,
            at=now,
            actor_id=admin_id,
            address=address,
            subject_user_id=to_leader_id,
            employee_id=employee.id,
        )
    return moved


@writes
def reset_two_step(
    session: Session, *, admin_id: int, user_id: int, now: datetime, address: str
) -> None:
    """Another admin's two-step login removed, for a lost phone: they log in with their
    password and set it up again. Audited. Your own: turn it off on your account page."""
    user = _user(session, user_id)
    if user_id == admin_id:
        raise DomainError(
            N_("Turn off your own two-step login on your account page."), status_code=409
        )
    if not two_step.reset(
        session, admin_id=admin_id, user_id=user.id or 0, now=now, address=address
    ):
        raise DomainError(N_("This user has no two-step login."), status_code=409)
