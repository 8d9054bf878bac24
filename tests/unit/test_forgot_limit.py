""" "Forgot password?" is limited per asking address and per account (issue 14), counted in
the database so that the limit holds across processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.admin import service
from app.models import AccountToken, ResetRequest
from tests.support import PASSWORD

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
LIMITS = service.ResetLimits(per_address=5, per_account=3)


def ask(session: Session, email: str, address: str, now: datetime = NOW) -> bool:
    made = service.request_reset(
        session, email=email, now=now, valid_for=DAY, address=address, limits=LIMITS
    )
    return made is not None


def leader(session: Session, email: str = "leder@example.org") -> None:
    accounts.create_user(session, email=email, name="Lars", role="leader", password=PASSWORD)


def test_at_most_three_links_an_hour_for_one_account_from_any_address(session: Session) -> None:
    leader(session)
    made = [ask(session, "leder@example.org", f"192.0.2.{i}") for i in range(5)]
    assert made == [True, True, True, False, False]
    # Written differently, the address is the same account.
    assert not ask(session, " LEDER@example.org ", "192.0.2.99")
    assert len(session.exec(select(AccountToken)).all()) == 3


def test_at_most_five_requests_an_hour_from_one_address(session: Session) -> None:
    leader(session)
    # Addresses without an account count too: the count must not tell which exist.
    for i in range(5):
        assert not ask(session, f"nobody{i}@example.org", "192.0.2.1")
    assert not ask(session, "leder@example.org", "192.0.2.1")
    assert ask(session, "leder@example.org", "192.0.2.2")


def test_the_limit_lifts_after_an_hour_and_old_counts_go(session: Session) -> None:
    leader(session)
    for _ in range(3):
        assert ask(session, "leder@example.org", "192.0.2.1")
    assert not ask(session, "leder@example.org", "192.0.2.1", NOW + timedelta(minutes=59))
    assert ask(session, "leder@example.org", "192.0.2.1", NOW + timedelta(minutes=61))
    assert len(session.exec(select(ResetRequest)).all()) == 1


def test_a_refused_request_is_not_counted(session: Session) -> None:
    leader(session)
    for _ in range(3):
        assert ask(session, "leder@example.org", "192.0.2.1")
    for _ in range(10):
        assert not ask(session, "leder@example.org", "192.0.2.1")
    # The address has made three requests that counted, so two more pass for other accounts.
    leader(session, "anden@example.org")
    assert ask(session, "anden@example.org", "192.0.2.1")
    assert len(session.exec(select(ResetRequest)).all()) == 4
