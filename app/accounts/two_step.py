"""Two-step login for admins (issue 14): a code from an authenticator app (TOTP, RFC 6238,
through pyotp) after the password, or one of ten one-time recovery codes.

The shared secret is stored encrypted (Fernet, its key derived from the app's secret key by
HKDF), so a copy of the database alone makes no codes. A code is accepted once: the time step
of the last accepted code is kept and only a later one passes, checked and stored in one
UPDATE, so two processes cannot both accept the same code. Recovery codes are random enough
(60 bits) for a plain SHA-256 to hold them.

Between the password and the code the browser holds no session: the login page carries a
signed "pending" token naming the user and when the password was right, good for five
minutes (``pending_token`` / ``read_pending``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.db import rows_changed, write_transaction
from app.errors import N_, DomainError
from app.models import AuditEvent, RecoveryCode, TwoStep, User

# What the audit log calls each two-step action (labels in app/records/audit.py).
TURNED_ON = "two_step_on"
TURNED_OFF = "two_step_off"
RECOVERY_CODE_USED = "recovery_code_used"
RESET_BY_ADMIN = "two_step_reset"

STEP_SECONDS = 30
# A code from the step before or after is accepted too: a phone's clock a little off.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# No 0/o, 1/l/i: a code written on paper is typed back without guessing.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12  # 31^12: about 59 bits
PENDING_LIFETIME = timedelta(minutes=5)
ISSUER = "Arbejdsglæde"
_SIX_DIGITS = re.compile(r"\d{6}")


class WrongCode(DomainError):
    def __init__(self) -> None:
        super().__init__(N_("That code is not right. Try the newest code."), status_code=400)


class PendingGone(DomainError):
    """The signed state between password and code is missing, forged or stale."""

    def __init__(self) -> None:
        super().__init__(
            N_("The login took too long or was not finished. Log in again."), status_code=400
        )


def _fernet(key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"arbejdsglaede two-step secret"
    ).derive(key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _encrypt(key: str, secret: str) -> str:
    return _fernet(key).encrypt(secret.encode()).decode()


@dataclass(frozen=True)
class _Opened:
    secret: str
    by_current_key: bool


def _decrypt(keys: Sequence[str], stored: str) -> _Opened | None:
    """The secret, by the current key or a previous one (ARBEJDSGLAEDE_PREVIOUS_SECRET_KEYS).
    None when none of them made it: the admin's two-step login must then be reset by another
    admin (SECURITY.md)."""
    for index, key in enumerate(keys):
        try:
            secret = _fernet(key).decrypt(stored.encode()).decode()
        except InvalidToken:
            continue
        return _Opened(secret, by_current_key=index == 0)
    return None


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _audit(
    session: Session, *, action: str, at: datetime, actor_id: int, subject_id: int, address: str
) -> None:
    # app.records stands above this area (docs/architecture.md): the table is written here.
    session.add(
        AuditEvent(
            at=at,
            user_id=actor_id,
            actor="user",
            action=action,
            subject_user_id=subject_id,
            address=address[:64],
        )
    )


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str, title: str) -> str:
    """An inline SVG without style attributes or script: fine under the strict CSP."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, border=2, dark="#1d2327", light="#ffffff", title=title, omitsize=True
        )
    )


def _row(session: Session, user_id: int) -> TwoStep | None:
    return session.exec(select(TwoStep).where(TwoStep.user_id == user_id)).first()


def is_on(session: Session, user_id: int) -> bool:
    row = _row(session, user_id)
    return row is not None and row.enabled_at is not None


@dataclass(frozen=True, slots=True)
class Setup:
    """What the set-up page shows: the secret to scan (as a URI for the QR) or type."""

    secret: str
    uri: str

    @property
    def grouped(self) -> str:
        return grouped(self.secret)


def start_setup(session: Session, *, user_id: int, key: str, now: datetime) -> None:
    """A new secret, not yet switched on; an earlier unfinished set-up is replaced. Refused
    while two-step login is on: turn it off first."""
    with write_transaction(session):
        row = _row(session, user_id)
        if row is not None and row.enabled_at is not None:
            raise DomainError(N_("Two-step login is already on."), status_code=409)
        if row is None:
            row = TwoStep(user_id=user_id, secret="")
        row.secret = _encrypt(key, pyotp.random_base32())
        row.created_at = now
        row.last_step = 0
        session.add(row)


def pending_setup(session: Session, *, user_id: int, keys: Sequence[str]) -> Setup | None:
    """The set-up under way (not yet confirmed), or None."""
    row = _row(session, user_id)
    if row is None or row.enabled_at is not None:
        return None
    opened = _decrypt(keys, row.secret)
    user = session.get(User, user_id)
    if opened is None or user is None:
        return None
    uri = pyotp.TOTP(opened.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Setup(secret=opened.secret, uri=uri)


def _accept_totp(session: Session, row: TwoStep, *, secret: str, code: str, now: datetime) -> bool:
    """True when ``code`` is the code of a step near now that is later than the last one
    accepted; that step is stored at once, so the same code never passes twice."""
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step <= row.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            # Compare-and-set in the database: of two requests with one code, one wins.
            result = session.execute(
                update(TwoStep)
                .where(col(TwoStep.id) == row.id, col(TwoStep.last_step) < step)
                .values(last_step=step)
            )
            return rows_changed(result) == 1
    return False


def confirm_setup(
    session: Session, *, user_id: int, code: str, keys: Sequence[str], now: datetime, address: str
) -> list[str]:
    """Switches two-step login on when ``code`` comes from the new secret; returns the ten
    recovery codes, shown this once."""
    code = code.strip().replace(" ", "")
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    with write_transaction(session):
        row = _row(session, user_id)
        if row is None or row.enabled_at is not None:
            raise DomainError(N_("Start the set-up again."), status_code=409)
        opened = _decrypt(keys, row.secret)
        if opened is None or not _SIX_DIGITS.fullmatch(code):
            raise WrongCode()
        if not _accept_totp(session, row, secret=opened.secret, code=code, now=now):
            raise WrongCode()
        _keep_under_current_key(row, opened, keys)
        row.enabled_at = now
        session.add(row)
        session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
        session.add_all(
            RecoveryCode(user_id=user_id, code_hash=_hash_code(normalise_recovery_code(c)))
            for c in codes
        )
        _audit(
            session,
            action=TURNED_ON,
            at=now,
            actor_id=user_id,
            subject_id=user_id,
            address=address,
        )
    return codes


def check_code(
    session: Session, *, user_id: int, code: str, keys: Sequence[str], now: datetime, address: str
) -> None:
    """Accepts a code from the app (once) or an unused recovery code (once, audited);
    WrongCode otherwise. Runs in its own write transaction, or joins the caller's."""
    code = code.strip()
    with write_transaction(session):
        row = _row(session, user_id)
        if row is None or row.enabled_at is None:
            raise WrongCode()
        digits = code.replace(" ", "")
        if _SIX_DIGITS.fullmatch(digits):
            opened = _decrypt(keys, row.secret)
            if opened is None or not _accept_totp(
                session, row, secret=opened.secret, code=digits, now=now
            ):
                raise WrongCode()
            _keep_under_current_key(row, opened, keys)
            return
        wanted = _hash_code(normalise_recovery_code(code))
        used = session.execute(
            update(RecoveryCode)
            .where(
                col(RecoveryCode.user_id) == user_id,
                col(RecoveryCode.code_hash) == wanted,
                col(RecoveryCode.used_at).is_(None),
            )
            .values(used_at=now)
        )
        if rows_changed(used) != 1:
            raise WrongCode()
        _audit(
            session,
            action=RECOVERY_CODE_USED,
            at=now,
            actor_id=user_id,
            subject_id=user_id,
            address=address,
        )


def _keep_under_current_key(row: TwoStep, opened: _Opened, keys: Sequence[str]) -> None:
    """A secret a previous key opened is stored again under the current one, at its first
    right code: once every admin has logged in, the previous key can go."""
    if not opened.by_current_key:
        row.secret = _encrypt(keys[0], opened.secret)


def recovery_codes_left(session: Session, user_id: int) -> int:
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def _remove(session: Session, user_id: int) -> bool:
    gone = session.execute(delete(TwoStep).where(col(TwoStep.user_id) == user_id))
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    return rows_changed(gone) > 0


def turn_off(
    session: Session, *, user_id: int, code: str, keys: Sequence[str], now: datetime, address: str
) -> None:
    """Off, after a current code (or a recovery code); the caller has checked the password."""
    with write_transaction(session):
        check_code(session, user_id=user_id, code=code, keys=keys, now=now, address=address)
        _remove(session, user_id)
        _audit(
            session,
            action=TURNED_OFF,
            at=now,
            actor_id=user_id,
            subject_id=user_id,
            address=address,
        )


def reset(session: Session, *, admin_id: int, user_id: int, now: datetime, address: str) -> bool:
    """Another admin's two-step login removed (a lost phone): they log in with the password
    and set it up again. Joins the caller's write transaction. False when it was not on."""
    removed = _remove(session, user_id)
    if removed:
        _audit(
            session,
            action=RESET_BY_ADMIN,
            at=now,
            actor_id=admin_id,
            subject_id=user_id,
            address=address,
        )
    return removed


# The state between a right password and its code: signed, bound to the user and to their
# password hash (a password changed meanwhile voids it), stale after PENDING_LIFETIME by
# the app's clock. It gives no rights of its own: only a right code turns it into a session.
_PENDING_SALT = "two-step-pending"


def _password_tag(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def pending_token(user: User, *, key: str, now: datetime) -> str:
    serializer = URLSafeSerializer(key, salt=_PENDING_SALT)
    return str(serializer.dumps([user.id, int(now.timestamp()), _password_tag(user)]))


def read_pending(session: Session, token: str, *, key: str, now: datetime) -> User:
    """The active user the pending token names; PendingGone when it is forged or stale."""
    if not token or len(token) > 500:
        raise PendingGone()
    try:
        user_id, issued, tag = URLSafeSerializer(key, salt=_PENDING_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise PendingGone() from None
    age = int(now.timestamp()) - int(issued)
    if not 0 <= age <= PENDING_LIFETIME.total_seconds():
        raise PendingGone()
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or not hmac.compare_digest(_password_tag(user), tag):
        raise PendingGone()
    return user
