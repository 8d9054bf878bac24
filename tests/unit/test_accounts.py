from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.accounts import service
from app.config import Settings
from app.db import write_session
from app.errors import DomainError
from tests.support import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def login(session: Session, email: str, password: str, address: str = "10.0.0.1", now=NOW):  # type: ignore[no-untyped-def]
    return service.authenticate(
        session,
        email=email,
        password=password,
        address=address,
        now=now,
        max_failures=10,
        window=WINDOW,
    )


@pytest.mark.real_password_hashing
def test_password_is_stored_as_argon2_hash(session: Session) -> None:
    user = service.create_user(
        session, email="Leder@Example.org", name="Leder", role="leader", password=PASSWORD
    )
    assert user.email == "leder@example.org"
    # argon2id at its recommended cost: 64 MiB, three passes, four lanes.
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in user.password_hash


def test_short_password_and_duplicate_email_are_refused(session: Session) -> None:
    with pytest.raises(DomainError):
        service.create_user(
            session, email="a@example.org", name="A", role="leader", password="kort"
        )
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    with pytest.raises(DomainError):
        service.create_user(
            session, email="A@example.org", name="A", role="leader", password=PASSWORD
        )


def test_wrong_password_and_unknown_email_say_the_same(session: Session) -> None:
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    with pytest.raises(DomainError) as wrong:
        login(session, "a@example.org", "not the password")
    with pytest.raises(DomainError) as unknown:
        login(session, "nobody@example.org", "not the password")
    assert wrong.value.message == unknown.value.message


def test_eleventh_attempt_from_one_address_is_refused_even_with_the_right_password(
    session: Session,
) -> None:
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    for _ in range(10):
        with pytest.raises(DomainError):
            login(session, "a@example.org", "wrong", address="10.0.0.7")
    with pytest.raises(service.TooManyAttempts):
        login(session, "a@example.org", PASSWORD, address="10.0.0.7")
    # After the window the account opens again.
    assert login(
        session,
        "a@example.org",
        PASSWORD,
        address="10.0.0.7",
        now=NOW + WINDOW + timedelta(seconds=1),
    )


def test_a_stranger_cannot_lock_the_owner_out_only_slow_the_answer(session: Session) -> None:
    """Failures at an account from many addresses: the owner, from their own address, still
    gets in, after a wait that grew with the failures and stopped at the cap."""
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    delays = []
    for i in range(10):
        attempt = service.begin_login(
            session,
            email="a@example.org",
            address=f"10.0.0.{i}",
            now=NOW,
            max_failures=10,
            window=WINDOW,
        )
        delays.append(attempt.delay)
        with pytest.raises(DomainError):
            service.finish_login(session, attempt, password="wrong")
    assert delays == [0, 0, 0, 0.25, 0.5, 1, 2, 4, 5, 5]
    owner = service.begin_login(
        session, email="a@example.org", address="10.9.9.9", now=NOW, max_failures=10, window=WINDOW
    )
    assert owner.delay == service.MAX_DELAY_SECONDS
    assert service.finish_login(session, owner, password=PASSWORD).email == "a@example.org"


def test_the_login_delay_grows_and_stops_at_its_cap() -> None:
    waits = [service.login_delay(n) for n in range(12)]
    assert waits[: service.FREE_FAILURES] == [0.0] * service.FREE_FAILURES
    assert waits == sorted(waits)
    assert max(waits) == service.MAX_DELAY_SECONDS == waits[-1]


def test_attempts_are_limited_per_address_too(session: Session) -> None:
    for i in range(10):
        with pytest.raises(DomainError):
            login(session, f"user{i}@example.org", "wrong", address="10.1.1.1")
    with pytest.raises(service.TooManyAttempts):
        login(session, "someone@example.org", "x", address="10.1.1.1")


@pytest.mark.sqlite
@pytest.mark.real_password_hashing
def test_the_password_is_checked_while_others_can_write(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 is slow on purpose; inside a write transaction it would hold SQLite's one write
    lock, and a morning's logins would stall every tap (DESIGN §8, 200 tablets at once)."""
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    others_could_write: list[bool] = []
    check = service._verify

    def verify_and_try_to_write(password_hash: str, password: str) -> bool:
        other = sqlite3.connect(settings.data_dir / "arbejdsglaede.db", timeout=0)
        other.isolation_level = None
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            others_could_write.append(True)
        except sqlite3.OperationalError:  # "database is locked", at once with timeout=0
            others_could_write.append(False)
        finally:
            other.close()
        return check(password_hash, password)

    # A spy that calls the real check: the one way to look inside the moment of hashing.
    monkeypatch.setattr(service, "_verify", verify_and_try_to_write)
    assert login(session, "a@example.org", PASSWORD)
    with pytest.raises(DomainError):
        login(session, "a@example.org", "wrong")
    with pytest.raises(DomainError):
        login(session, "nobody@example.org", PASSWORD)
    assert others_could_write == [True, True, True]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError("VmHWM")


def at_once(n: int, work: Callable[[int], None]) -> None:
    """``work(0)`` to ``work(n - 1)``, each in its own thread, all let go at the same moment."""
    start = threading.Barrier(n)

    def run(i: int) -> None:
        start.wait()
        work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.real_password_hashing
def test_logins_at_once_hash_one_at_a_time(engine: Engine) -> None:
    """Each argon2 hash holds 64 MiB; eight logins at once would hold 512 MB (DESIGN §8: one
    server process stays under 300 MB)."""
    with write_session(engine) as session:
        service.create_user(
            session, email="a@example.org", name="A", role="leader", password=PASSWORD
        )
    errors: list[BaseException] = []

    def log_in(_: int) -> None:
        try:
            with write_session(engine) as own:
                login(own, "a@example.org", PASSWORD)
        except BaseException as error:
            errors.append(error)

    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) counts from here
    before = peak_rss_mb()
    at_once(8, log_in)
    assert errors == []
    assert peak_rss_mb() - before < 2 * 64


@pytest.mark.real_password_hashing
def test_wrong_passwords_sent_at_once_do_not_slip_past_the_limit(engine: Engine) -> None:
    """Each attempt is counted before its slow hash: twenty at once from one address, the
    limit is ten; the owner elsewhere still gets in."""
    with write_session(engine) as session:
        service.create_user(
            session, email="a@example.org", name="A", role="leader", password=PASSWORD
        )
    answers: list[str] = []

    def guess(i: int) -> None:
        with write_session(engine) as own:
            try:
                login(own, "a@example.org", f"guess {i}", address="10.0.1.1")
            except service.TooManyAttempts:
                answers.append("too many")
            except DomainError:
                answers.append("wrong")

    at_once(20, guess)
    assert sorted(answers) == ["too many"] * 10 + ["wrong"] * 10
    with write_session(engine) as session, pytest.raises(service.TooManyAttempts):
        login(session, "a@example.org", PASSWORD, address="10.0.1.1")
    with write_session(engine) as session:
        assert login(session, "a@example.org", PASSWORD, address="10.0.2.2")


def test_leaders_behind_one_office_address_log_in_at_once(engine: Engine) -> None:
    """Attempts being checked count for their account, not their address."""
    leaders = 15
    with write_session(engine) as session:
        for i in range(leaders):
            service.create_user(
                session,
                email=f"leder{i}@example.org",
                name="Leder",
                role="leader",
                password=PASSWORD,
            )
    answers: list[str] = []

    def log_in(i: int) -> None:
        with write_session(engine) as own:
            try:
                answers.append(login(own, f"leder{i}@example.org", PASSWORD).email)
            except DomainError as error:
                answers.append(error.message)

    at_once(leaders, log_in)
    assert sorted(answers) == sorted(f"leder{i}@example.org" for i in range(leaders))


def test_a_right_password_leaves_no_failure_behind(session: Session) -> None:
    service.create_user(session, email="a@example.org", name="A", role="leader", password=PASSWORD)
    for _ in range(15):
        assert login(session, "a@example.org", PASSWORD)


def test_setup_token_works_once(session: Session) -> None:
    token = service.issue_setup_token(session, now=NOW, valid_for=timedelta(hours=24))
    assert token
    admin = service.create_first_admin(
        session, token=token, email="admin@example.org", name="Admin", password=PASSWORD, now=NOW
    )
    assert admin.role == "admin"
    with pytest.raises(DomainError):
        service.check_setup_token(session, token=token, now=NOW)
    assert service.issue_setup_token(session, now=NOW, valid_for=timedelta(hours=24)) is None


def test_setup_token_expires_and_a_new_one_replaces_it(session: Session) -> None:
    old = service.issue_setup_token(session, now=NOW, valid_for=timedelta(hours=24))
    assert old
    with pytest.raises(DomainError):
        service.check_setup_token(session, token=old, now=NOW + timedelta(hours=25))
    new = service.issue_setup_token(session, now=NOW, valid_for=timedelta(hours=24))
    assert new
    with pytest.raises(DomainError):
        service.check_setup_token(session, token=old, now=NOW)
    service.check_setup_token(session, token=new, now=NOW)
