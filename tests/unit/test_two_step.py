"""Two-step login for admins (issue 14): the rules, called as services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts import two_step
from app.admin import service as admin_service
from app.db import write_transaction
from app.errors import DomainError
from app.models import AuditEvent, LoginFailure, RecoveryCode, TwoStep, User
from tests.support import PASSWORD

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
KEY = "test-secret-key-that-is-long-enough-0123456789"
KEYS = (KEY,)
ADDRESS = "10.0.0.9"
WINDOW = timedelta(minutes=15)


def admin(session: Session, email: str = "admin@example.org") -> User:
    return accounts.create_user(
        session, email=email, name="Admin " + email, role="admin", password=PASSWORD
    )


def secret_of(session: Session, user_id: int) -> str:
    setup = two_step.pending_setup(session, user_id=user_id, keys=KEYS)
    assert setup is not None
    return setup.secret


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def switched_on(session: Session, user: User) -> tuple[str, list[str]]:
    """Two-step login on for ``user``: its secret and its recovery codes."""
    assert user.id is not None
    two_step.start_setup(session, user_id=user.id, key=KEY, now=NOW)
    secret = secret_of(session, user.id)
    codes = two_step.confirm_setup(
        session,
        user_id=user.id,
        code=code_at(secret, NOW),
        keys=KEYS,
        now=NOW,
        address=ADDRESS,
    )
    return secret, codes


def check(session: Session, user: User, code: str, now: datetime) -> None:
    two_step.check_code(
        session, user_id=user.id or 0, code=code, keys=KEYS, now=now, address=ADDRESS
    )


def actions(session: Session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


def test_the_secret_is_stored_encrypted(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    stored = session.exec(select(TwoStep)).one()
    assert secret not in stored.secret and secret.lower() not in stored.secret.lower()
    # Another secret key opens nothing (and the code page then refuses every code).
    later = NOW + timedelta(minutes=1)
    with pytest.raises(two_step.WrongCode):
        two_step.check_code(
            session,
            user_id=boss.id or 0,
            code=code_at(secret, later),
            keys=("another-secret-key-that-is-long-enough-012345",),
            now=later,
            address=ADDRESS,
        )


def test_after_a_key_change_the_previous_key_still_opens_the_secret_until_the_next_login(
    session: Session,
) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    new_key = "the-new-secret-key-after-a-change-0123456789"
    under_old_key = session.exec(select(TwoStep)).one().secret
    # The new key alone opens nothing; with the old one named as previous, a code passes, and
    # the secret is stored again under the new key.
    later = NOW + timedelta(minutes=1)
    with pytest.raises(two_step.WrongCode):
        two_step.check_code(
            session, user_id=boss.id or 0, code=code_at(secret, later), keys=(new_key,),
            now=later, address=ADDRESS,
        )  # fmt: skip
    two_step.check_code(
        session, user_id=boss.id or 0, code=code_at(secret, later), keys=(new_key, KEY),
        now=later, address=ADDRESS,
    )  # fmt: skip
    session.expire_all()
    stored = session.exec(select(TwoStep)).one()
    assert stored.secret != under_old_key and secret not in stored.secret
    # From then on the new key alone is enough: the previous one can go.
    after = later + timedelta(minutes=1)
    two_step.check_code(
        session, user_id=boss.id or 0, code=code_at(secret, after), keys=(new_key,),
        now=after, address=ADDRESS,
    )  # fmt: skip


def test_confirm_setup_refuses_a_wrong_code_and_stays_off(session: Session) -> None:
    boss = admin(session)
    assert boss.id is not None
    two_step.start_setup(session, user_id=boss.id, key=KEY, now=NOW)
    secret = secret_of(session, boss.id)
    wrong = f"{(int(code_at(secret, NOW)) + 1) % 1_000_000:06d}"
    for code in (wrong, "", "abcdef", "1234567"):
        with pytest.raises(two_step.WrongCode):
            two_step.confirm_setup(
                session, user_id=boss.id, code=code, keys=KEYS, now=NOW, address=ADDRESS
            )
    assert not two_step.is_on(session, boss.id)
    assert actions(session) == []


def test_setup_gives_ten_recovery_codes_stored_hashed_and_is_audited(session: Session) -> None:
    boss = admin(session)
    _, codes = switched_on(session, boss)
    assert len(codes) == len(set(codes)) == 10
    stored = {row.code_hash for row in session.exec(select(RecoveryCode))}
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & stored
    assert two_step.is_on(session, boss.id or 0)
    assert actions(session) == [two_step.TURNED_ON]


def test_a_code_is_accepted_once(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(seconds=60)
    code = code_at(secret, later)
    check(session, boss, code, later)
    with pytest.raises(two_step.WrongCode):
        check(session, boss, code, later)  # replayed
    # The next time step's code passes.
    check(session, boss, code_at(secret, later + timedelta(seconds=30)), later)


def test_the_setup_code_cannot_be_replayed_at_login(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    with pytest.raises(two_step.WrongCode):
        check(session, boss, code_at(secret, NOW), NOW)


def test_an_older_code_is_refused_once_a_newer_one_was_used(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=5)
    check(session, boss, code_at(secret, later), later)
    with pytest.raises(two_step.WrongCode):
        check(session, boss, code_at(secret, later - timedelta(seconds=30)), later)


def test_a_code_from_far_away_in_time_is_refused(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=10)
    with pytest.raises(two_step.WrongCode):
        check(session, boss, code_at(secret, later - timedelta(minutes=2)), later)
    # A phone a step off is fine.
    check(session, boss, code_at(secret, later - timedelta(seconds=30)), later)


def test_a_recovery_code_works_once_and_is_audited(session: Session) -> None:
    boss = admin(session)
    _, codes = switched_on(session, boss)
    later = NOW + timedelta(minutes=1)
    # Typed in capitals and without the dashes, it still counts.
    check(session, boss, codes[3].upper().replace("-", " "), later)
    with pytest.raises(two_step.WrongCode):
        check(session, boss, codes[3], later)
    assert two_step.recovery_codes_left(session, boss.id or 0) == 9
    assert actions(session)[-1] == two_step.RECOVERY_CODE_USED
    with pytest.raises(two_step.WrongCode):
        check(session, boss, "aaaa-bbbb-cccc", later)


def _login_code(session: Session, user: User, code: str, now: datetime) -> User:
    attempt = accounts.begin_login(
        session, email=user.email, address=ADDRESS, now=now, max_failures=10, window=WINDOW
    )
    return accounts.finish_second_step(
        session, attempt, user_id=user.id or 0, code=code, keys=KEYS, address=ADDRESS
    )


def test_a_wrong_code_counts_as_a_failed_login(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=1)
    wrong = f"{(int(code_at(secret, later)) + 7) % 1_000_000:06d}"
    for _ in range(3):
        with pytest.raises(two_step.WrongCode):
            _login_code(session, boss, wrong, later)
    failures = session.exec(select(LoginFailure)).all()
    assert len(failures) == 3 and all(f.checked and f.email == boss.email for f in failures)
    # A right code leaves no failure of its own behind, and counts as the login.
    user = _login_code(session, boss, code_at(secret, later), later)
    assert user.last_login_at is not None
    assert len(session.exec(select(LoginFailure)).all()) == 3


def test_ten_wrong_codes_lock_the_address_out(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=1)
    wrong = f"{(int(code_at(secret, later)) + 7) % 1_000_000:06d}"
    for _ in range(10):
        with pytest.raises(two_step.WrongCode):
            _login_code(session, boss, wrong, later)
    with pytest.raises(accounts.TooManyAttempts):
        _login_code(session, boss, code_at(secret, later), later)


def test_the_password_step_alone_is_no_login(session: Session) -> None:
    boss = admin(session)
    switched_on(session, boss)
    user = accounts.authenticate(
        session,
        email=boss.email,
        password=PASSWORD,
        address=ADDRESS,
        now=NOW,
        max_failures=10,
        window=WINDOW,
    )
    assert user.last_login_at is None


def test_pending_state_is_bound_to_the_user_and_expires(session: Session) -> None:
    boss = admin(session)
    token = two_step.pending_token(boss, key=KEY, now=NOW)
    assert two_step.read_pending(session, token, key=KEY, now=NOW + timedelta(minutes=4)) == boss
    with pytest.raises(two_step.PendingGone):
        two_step.read_pending(session, token, key=KEY, now=NOW + timedelta(minutes=5, seconds=1))
    with pytest.raises(two_step.PendingGone):
        two_step.read_pending(session, token + "x", key=KEY, now=NOW)
    with pytest.raises(two_step.PendingGone):
        two_step.read_pending(session, token, key=KEY.replace("0", "1"), now=NOW)
    with pytest.raises(two_step.PendingGone):
        two_step.read_pending(session, "", key=KEY, now=NOW)


def test_pending_state_ends_with_a_password_change(session: Session) -> None:
    boss = admin(session)
    token = two_step.pending_token(boss, key=KEY, now=NOW)
    boss.password_hash = accounts.hash_password("a different long password")
    session.add(boss)
    session.commit()
    with pytest.raises(two_step.PendingGone):
        two_step.read_pending(session, token, key=KEY, now=NOW)


def test_turning_off_needs_the_password_and_a_code(session: Session) -> None:
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=1)

    def turn_off(password: str, code: str) -> None:
        accounts.turn_off_two_step(
            session,
            user_id=boss.id or 0,
            password=password,
            code=code,
            keys=KEYS,
            address=ADDRESS,
            now=later,
            max_failures=10,
            window=WINDOW,
        )

    with pytest.raises(DomainError):
        turn_off("not the password at all", code_at(secret, later))
    with pytest.raises(two_step.WrongCode):
        turn_off(PASSWORD, f"{(int(code_at(secret, later)) + 7) % 1_000_000:06d}")
    assert two_step.is_on(session, boss.id or 0)
    turn_off(PASSWORD, code_at(secret, later))
    assert not two_step.is_on(session, boss.id or 0)
    assert session.exec(select(RecoveryCode)).all() == []
    assert actions(session)[-1] == two_step.TURNED_OFF


def test_another_admin_resets_two_step_login_audited(session: Session) -> None:
    boss = admin(session)
    other = admin(session, "other@example.org")
    switched_on(session, other)
    with pytest.raises(DomainError):
        admin_service.reset_two_step(
            session, admin_id=other.id or 0, user_id=other.id or 0, now=NOW, address=ADDRESS
        )
    admin_service.reset_two_step(
        session, admin_id=boss.id or 0, user_id=other.id or 0, now=NOW, address=ADDRESS
    )
    assert not two_step.is_on(session, other.id or 0)
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.action, event.user_id, event.subject_user_id) == (
        two_step.RESET_BY_ADMIN,
        boss.id,
        other.id,
    )
    with pytest.raises(DomainError):  # nothing left to reset
        admin_service.reset_two_step(
            session, admin_id=boss.id or 0, user_id=other.id or 0, now=NOW, address=ADDRESS
        )


def test_start_setup_is_refused_while_on(session: Session) -> None:
    boss = admin(session)
    switched_on(session, boss)
    with pytest.raises(DomainError):
        two_step.start_setup(session, user_id=boss.id or 0, key=KEY, now=NOW)


def test_of_two_requests_with_one_code_only_one_passes(session: Session) -> None:
    """Two processes may both read the last step before either stores the new one (READ
    COMMITTED on PostgreSQL): the stored step is compared again in the UPDATE itself."""
    boss = admin(session)
    secret, _ = switched_on(session, boss)
    later = NOW + timedelta(minutes=1)
    code = code_at(secret, later)
    with write_transaction(session):
        seen_by_the_other = session.exec(select(TwoStep)).one()
        session.expunge(seen_by_the_other)  # what the other process read, before this one wrote
    check(session, boss, code, later)
    with write_transaction(session):
        assert not two_step._accept_totp(
            session, seen_by_the_other, secret=secret, code=code, now=later
        )
