"""Accounts in the browser and leader handover (issue 14): the rules, called as services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.admin import service
from app.conversations import service as conversations
from app.errors import DomainError
from app.models import (
    AccountToken,
    Agreement,
    AuditEvent,
    Conversation,
    Employee,
    EmployeeEvent,
    TokenPurpose,
    User,
)
from tests.conversation_fixtures import World, make_world
from tests.support import PASSWORD

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
DAY = timedelta(hours=24)
ADDRESS = "10.0.0.7"
NEW_PASSWORD = "another long and good password"


def admin(session: Session, email: str = "admin@example.org") -> User:
    return accounts.create_user(
        session, email=email, name="Admin " + email, role="admin", password=PASSWORD
    )


def invite(session: Session, admin_id: int, email: str = "ny@example.org") -> service.Invitation:
    return service.invite_user(
        session,
        admin_id=admin_id,
        email=email,
        name="Ny Leder",
        role="leader",
        now=NOW,
        valid_for=WEEK,
        address=ADDRESS,
    )


def accept(session: Session, token: str, now: datetime = NOW) -> User:
    return service.set_password_by_link(
        session,
        token=token,
        purpose=TokenPurpose.invite,
        password=NEW_PASSWORD,
        now=now,
        address=ADDRESS,
    )


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))))


def test_an_invitation_stores_only_the_hash_and_the_invitee_sets_the_password(
    session: Session,
) -> None:
    boss = admin(session)
    made = invite(session, boss.id or 0)
    assert made.user.is_invited and made.user.password_hash == ""
    stored = session.exec(select(AccountToken)).one()
    assert stored.token_hash != made.token and made.token not in stored.token_hash
    assert stored.expires_at.replace(tzinfo=UTC) == NOW + WEEK
    user = accept(session, made.token)
    assert not user.is_invited and user.last_login_at is not None
    assert (
        accounts.authenticate(
            session,
            email="ny@example.org",
            password=NEW_PASSWORD,
            address=ADDRESS,
            now=NOW,
            max_failures=10,
            window=timedelta(minutes=15),
        ).id
        == user.id
    )
    assert actions(session) == [service.INVITED, service.ACCEPTED]


def test_an_invited_account_cannot_log_in_before_it_has_a_password(session: Session) -> None:
    boss = admin(session)
    invite(session, boss.id or 0)
    with pytest.raises(DomainError, match="Wrong e-mail or password"):
        accounts.authenticate(
            session,
            email="ny@example.org",
            password="",
            address=ADDRESS,
            now=NOW,
            max_failures=10,
            window=timedelta(minutes=15),
        )


def test_a_link_works_once(session: Session) -> None:
    made = invite(session, admin(session).id or 0)
    accept(session, made.token)
    with pytest.raises(service.LinkGone):
        accept(session, made.token)


def test_an_expired_link_is_refused(session: Session) -> None:
    made = invite(session, admin(session).id or 0)
    with pytest.raises(service.LinkGone):
        accept(session, made.token, now=NOW + WEEK)


def test_an_unknown_link_is_refused(session: Session) -> None:
    with pytest.raises(service.LinkGone):
        service.check_link(session, token="nothing", purpose=TokenPurpose.invite, now=NOW)


def test_a_reset_link_does_not_open_as_an_invitation(session: Session) -> None:
    boss = admin(session)
    leader = accounts.create_user(
        session, email="l@example.org", name="L", role="leader", password=PASSWORD
    )
    made = service.make_reset_link(
        session,
        admin_id=boss.id or 0,
        user_id=leader.id or 0,
        now=NOW,
        invite_valid_for=WEEK,
        reset_valid_for=DAY,
        address=ADDRESS,
    )
    with pytest.raises(service.LinkGone):
        service.check_link(session, token=made.token, purpose=TokenPurpose.invite, now=NOW)
    with pytest.raises(service.LinkGone):  # a day, not a week
        service.check_link(session, token=made.token, purpose=TokenPurpose.reset, now=NOW + DAY)


def test_a_new_link_ends_the_earlier_one(session: Session) -> None:
    boss = admin(session)
    first = invite(session, boss.id or 0)
    again = service.make_reset_link(
        session,
        admin_id=boss.id or 0,
        user_id=first.user.id or 0,
        now=NOW,
        invite_valid_for=WEEK,
        reset_valid_for=DAY,
        address=ADDRESS,
    )
    with pytest.raises(service.LinkGone):
        accept(session, first.token)
    assert accept(session, again.token).id == first.user.id


def test_an_address_with_an_account_is_not_invited_again(session: Session) -> None:
    boss = admin(session)
    invite(session, boss.id or 0, "ny@example.org")
    with pytest.raises(DomainError, match="already has an account"):
        invite(session, boss.id or 0, " NY@example.org ")
    with pytest.raises(DomainError, match="already has an account"):
        invite(session, boss.id or 0, "admin@example.org")


def test_a_weak_password_is_refused_by_the_password_rules_and_the_link_still_works(
    session: Session,
) -> None:
    made = invite(session, admin(session).id or 0)
    with pytest.raises(DomainError, match="at least"):
        service.set_password_by_link(
            session,
            token=made.token,
            purpose=TokenPurpose.invite,
            password="short",
            now=NOW,
            address=ADDRESS,
        )
    assert accept(session, made.token).id == made.user.id


def test_an_admin_cannot_deactivate_themself(session: Session) -> None:
    boss = admin(session)
    admin(session, "other@example.org")
    with pytest.raises(DomainError, match="cannot deactivate yourself"):
        service.set_active(
            session,
            admin_id=boss.id or 0,
            user_id=boss.id or 0,
            active=False,
            now=NOW,
            address=ADDRESS,
        )


def test_the_last_active_admin_is_neither_deactivated_nor_demoted(session: Session) -> None:
    boss = admin(session)
    other = admin(session, "other@example.org")
    # Two admins: one may go. Then the one left is the last.
    service.set_active(
        session,
        admin_id=boss.id or 0,
        user_id=other.id or 0,
        active=False,
        now=NOW,
        address=ADDRESS,
    )
    with pytest.raises(DomainError, match="last active admin"):
        service.change_role(
            session,
            admin_id=boss.id or 0,
            user_id=boss.id or 0,
            role="leader",
            now=NOW,
            address=ADDRESS,
        )
    # An admin who never accepted the invitation does not count as the other admin.
    invited = service.invite_user(
        session,
        admin_id=boss.id or 0,
        email="x@example.org",
        name="X",
        role="admin",
        now=NOW,
        valid_for=WEEK,
        address=ADDRESS,
    )
    assert invited.user.role == "admin"
    with pytest.raises(DomainError, match="last active admin"):
        service.change_role(
            session,
            admin_id=boss.id or 0,
            user_id=boss.id or 0,
            role="facilitator",
            now=NOW,
            address=ADDRESS,
        )
    assert session.get(User, boss.id).role == "admin"  # type: ignore[union-attr]


def test_deactivation_and_role_changes_are_audited_with_the_address(session: Session) -> None:
    boss = admin(session)
    leader = accounts.create_user(
        session, email="l@example.org", name="L", role="leader", password=PASSWORD
    )
    for active in (False, True):
        service.set_active(
            session,
            admin_id=boss.id or 0,
            user_id=leader.id or 0,
            active=active,
            now=NOW,
            address=ADDRESS,
        )
    service.change_role(
        session,
        admin_id=boss.id or 0,
        user_id=leader.id or 0,
        role="facilitator",
        now=NOW,
        address=ADDRESS,
    )
    events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
    assert [e.action for e in events] == [
        service.DEACTIVATED,
        service.REACTIVATED,
        service.ROLE_CHANGED,
    ]
    assert {(e.user_id, e.subject_user_id, e.address) for e in events} == {
        (boss.id, leader.id, ADDRESS)
    }


def test_forgot_password_makes_a_link_only_for_an_active_account(session: Session) -> None:
    boss = admin(session)
    invited = invite(session, boss.id or 0)
    assert (
        service.request_reset(
            session, email="nobody@example.org", now=NOW, valid_for=DAY, address=ADDRESS
        )
        is None
    )
    assert (
        service.request_reset(
            session, email=invited.user.email, now=NOW, valid_for=DAY, address=ADDRESS
        )
        is None
    )
    made = service.request_reset(
        session, email="ADMIN@example.org", now=NOW, valid_for=DAY, address=ADDRESS
    )
    assert made is not None and made.user.id == boss.id
    assert actions(session)[-1] == service.RESET_REQUESTED


# -- Leader handover --------------------------------------------------------------------


def handover_world(session: Session) -> tuple[World, User]:
    world = make_world(session)
    leader_id = world.leader.id or 0
    conversations.add_agreement(
        session,
        leader_id=leader_id,
        conversation_id=world.conversation.id or 0,
        data=conversations.AgreementInput("Kursus i foråret", "employee", None, "", ()),
    )
    conversations.create_conversation(
        session,
        leader_id=leader_id,
        employee_name="Anden Medarbejder",
        on=date(2026, 12, 3),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    )
    return world, admin(session)


def test_handover_moves_every_employee_with_all_conversations_and_agreements(
    session: Session,
) -> None:
    world, boss = handover_world(session)
    old, new = world.leader.id or 0, world.other_leader.id or 0
    moved = service.hand_over(
        session,
        admin_id=boss.id or 0,
        from_leader_id=old,
        to_leader_id=new,
        employee_ids=None,
        now=NOW,
        address=ADDRESS,
    )
    assert len(moved) == 2
    # Nothing is left with the old leader.
    assert session.exec(select(Employee).where(Employee.leader_id == old)).all() == []
    assert session.exec(select(Conversation).where(Conversation.leader_id == old)).all() == []
    assert len(session.exec(select(Conversation).where(Conversation.leader_id == new)).all()) == 2
    # The agreement follows its conversation, which the new leader now owns.
    agreement = session.exec(select(Agreement)).one()
    assert conversations.own_conversation(session, new, agreement.conversation_id)
    with pytest.raises(Exception) as refused:
        conversations.own_conversation(session, old, agreement.conversation_id)
    assert type(refused.value).__name__ == "NotFound"
    history = session.exec(select(EmployeeEvent).order_by(col(EmployeeEvent.employee_id))).all()
    assert [(h.employee_id, h.from_user_id, h.to_user_id, h.by_user_id) for h in history] == [
        (m, old, new, boss.id) for m in sorted(moved)
    ]
    audited = session.exec(select(AuditEvent).where(AuditEvent.action == "handover")).all()
    assert sorted(e.employee_id or 0 for e in audited) == sorted(moved)
    assert {(e.user_id, e.subject_user_id, e.address) for e in audited} == {(boss.id, new, ADDRESS)}


def test_handover_of_chosen_employees_leaves_the_others(session: Session) -> None:
    world, boss = handover_world(session)
    old, new = world.leader.id or 0, world.other_leader.id or 0
    chosen = world.conversation.employee_id
    service.hand_over(
        session,
        admin_id=boss.id or 0,
        from_leader_id=old,
        to_leader_id=new,
        employee_ids=[chosen],
        now=NOW,
        address=ADDRESS,
    )
    assert session.get(Employee, chosen).leader_id == new  # type: ignore[union-attr]
    assert session.get(Conversation, world.conversation.id).leader_id == new  # type: ignore[union-attr]
    kept = session.exec(select(Employee).where(Employee.leader_id == old)).all()
    assert [e.name for e in kept] == ["Anden Medarbejder"]
    assert (
        session.exec(select(Conversation).where(Conversation.leader_id == old)).one().employee_id
        == kept[0].id
    )


def test_handover_refusals(session: Session) -> None:
    world, boss = handover_world(session)
    old, new = world.leader.id or 0, world.other_leader.id or 0

    def move(to: int, ids: list[int] | None = None) -> None:
        service.hand_over(
            session,
            admin_id=boss.id or 0,
            from_leader_id=old,
            to_leader_id=to,
            employee_ids=ids,
            now=NOW,
            address=ADDRESS,
        )

    with pytest.raises(DomainError, match="another leader"):
        move(old)
    with pytest.raises(DomainError, match="at least one"):
        move(new, [])
    other_employee = conversations.create_conversation(
        session,
        leader_id=new,
        employee_name="Medarbejder",
        on=date(2026, 12, 4),
        language="da",
        status_deck_id=None,
        inspiration_deck_id=None,
    ).employee_id
    with pytest.raises(DomainError, match="no longer belong"):
        move(new, [other_employee])
    with pytest.raises(DomainError, match="already has an employee called") as clash:
        move(new)
    assert clash.value.params == {"name": "Medarbejder"}
    service.set_active(
        session, admin_id=boss.id or 0, user_id=new, active=False, now=NOW, address=ADDRESS
    )
    with pytest.raises(DomainError, match="active leader"):
        move(new)
    # Nothing moved.
    assert len(session.exec(select(Employee).where(Employee.leader_id == old)).all()) == 2
    assert session.exec(select(EmployeeEvent)).all() == []
