"""The leader's home page lists what is due (issue 16), each one tap away from acting on it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select

from app.db import write_session
from app.models import Agreement, Conversation, Employee, User
from tests.factories import Organisation
from tests.support import PARTIAL, Client, add_user, engine_of

TODAY = date(2026, 12, 1)  # the FakeClock's day


def _leader(client: Client, email: str = "leder@example.org") -> int:
    add_user(client, email)
    with write_session(engine_of(client)) as session:
        return session.exec(select(User.id).where(User.email == email)).one() or 0


def _due_things(client: Client, leader_id: int) -> dict[str, int]:
    """Anne: an agreement overdue by 4 days and a follow-up due in 10; Bo: never had a
    conversation; Cille: a conversation last month and nothing due."""
    with write_session(engine_of(client)) as session:
        org = Organisation(session)
        anne = Employee(leader_id=leader_id, name="Anne Holm")
        bo = Employee(leader_id=leader_id, name="Bo Ærø")
        cille = Employee(leader_id=leader_id, name="Cille Dam")
        session.add_all([anne, bo, cille])
        session.flush()
        held_id = org.conversation(anne.id or 0, TODAY - timedelta(days=170))
        held = session.get(Conversation, held_id)
        assert held is not None
        held.follow_up_date = TODAY + timedelta(days=10)
        session.add(held)
        session.add(
            Agreement(
                conversation_id=held_id,
                text="Anne tager et kursus i projektledelse " + "og meget mere " * 10,
                owner="employee",
                due=TODAY - timedelta(days=4),
            )
        )
        org.conversation(cille.id or 0, TODAY - timedelta(days=30))
        session.commit()
        return {"anne": anne.id or 0, "bo": bo.id or 0, "held": held_id}


def _due_section(page: str) -> str:
    match = re.search(r'<section class="panel due-panel".*?</section>', page, re.S)
    assert match, "no due section"
    return match.group(0)


def test_home_page_lists_what_is_due_with_a_way_to_act(client: Client) -> None:
    leader_id = _leader(client)
    ids = _due_things(client, leader_id)
    client.login("leder@example.org")

    page = client.get("/?lang=en")

    assert page.status_code == 200
    due = _due_section(page.text)
    assert "What is due" in due
    # The agreement: shortened, its employee, the deadline and how late it is; it opens its
    # conversation.
    assert "Anne tager et kursus i projektledelse" in due and "…" in due
    assert "overdue by 4 days" in due
    assert f'href="/conversations/{ids["held"]}"' in due
    # The follow-up: in 10 days, with the employee page and Start follow-up.
    assert "in 10 days" in due
    assert f'href="/employees/{ids["anne"]}"' in due
    assert f'action="/conversations/{ids["held"]}/start-follow-up"' in due
    assert "Start follow-up with Anne Holm" in due
    # Bo never had a conversation; Cille had one last month and is not listed.
    assert "No conversation yet" in due and f'href="/employees/{ids["bo"]}"' in due
    assert "/conversations/new?employee=Bo+%C3%86r%C3%B8" in due
    assert "Cille Dam" not in due
    # The conversation list stays below it.
    assert "New conversation" in page.text and "Planned and in progress" in page.text


def test_home_page_says_so_when_nothing_is_due(client: Client) -> None:
    _leader(client)
    client.login("leder@example.org")

    due = _due_section(client.get("/?lang=en").text)

    assert "Nothing is due in the next 30 days" in due
    assert "<ul" not in due


def test_home_page_in_danish_says_how_late(client: Client) -> None:
    _due_things(client, _leader(client))
    client.login("leder@example.org")

    due = _due_section(client.get("/?lang=da").text)

    assert "Det skal du følge op på" in due
    assert "4 dage over fristen" in due and "om 10 dage" in due
    assert "Endnu ingen samtale" in due and "Planlæg samtale" in due


def test_another_leaders_due_list_is_not_shown(client: Client) -> None:
    _due_things(client, _leader(client))
    _leader(client, "anden@example.org")
    client.login("anden@example.org")

    due = _due_section(client.get("/?lang=en").text)

    assert "Anne Holm" not in due and "Bo Ærø" not in due
    assert "Nothing is due" in due


def test_home_page_fragment_and_full_page_both_hold_the_due_list(client: Client) -> None:
    _due_things(client, _leader(client))
    client.login("leder@example.org")

    full = client.get("/?lang=en")
    partial = client.get("/?lang=en", headers=PARTIAL)

    assert "What is due" in full.text and "<html" in full.text
    assert partial.status_code == 200 and "What is due" in partial.text


def test_audit_log_shows_a_sent_reminder_as_a_scheduled_task(client: Client) -> None:
    from datetime import UTC, datetime

    from app.records import reminders

    leader_id = _leader(client)
    add_user(client, "admin@example.org", role="admin")
    with write_session(engine_of(client)) as session:
        reminders.mark_sent(session, leader_id=leader_id, at=datetime(2026, 12, 1, 5, tzinfo=UTC))
    client.login("admin@example.org")

    page = client.get("/admin/audit?lang=en").text

    assert "E-mailed a leader the daily list of what is due" in page
    assert "A scheduled task" in page and "The employee&#39;s link" not in page
