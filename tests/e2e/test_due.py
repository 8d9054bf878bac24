"""The leader's list of what is due (issue 16) on the tablet and the phone: it fits without
sideways scrolling, every control in it is a finger's size, and one tap plans the conversation
that is due."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app.db import make_engine, write_session
from app.i18n import TIMEZONE
from app.models import Agreement, Conversation, Deck, Employee, User
from tests.browser import LiveServer, log_in, screenshot
from tests.support import PASSWORD

SIZES = [(1180, 820), (820, 1180), (390, 844)]
OVERFLOW = "document.documentElement.scrollWidth - innerWidth"
SMALL_TARGETS = """() => [...document.querySelectorAll('#due a[href], #due button')]
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < 44 || box.height < 44)
  .map(([el, box]) => `${el.className} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _seed(server: LiveServer, email: str) -> None:
    """Anne: a long agreement overdue by 5 days and a follow-up due in 3; Bo: never had a
    conversation. The server's own today, as it counts (Copenhagen)."""
    today: date = datetime.now(TIMEZONE).date()
    engine = make_engine(f"sqlite:///{server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        leader = session.exec(select(User).where(User.email == email)).one()
        decks = session.exec(select(Deck.id).order_by(col(Deck.id))).all()
        anne = Employee(leader_id=leader.id or 0, name="Anne Holm")
        bo = Employee(leader_id=leader.id or 0, name="Bo Ærø")
        session.add_all([anne, bo])
        session.flush()
        held = Conversation(
            leader_id=leader.id or 0,
            employee_id=anne.id or 0,
            date=today - timedelta(days=177),
            status="completed",
            status_deck_id=decks[0] or 0,
            inspiration_deck_id=decks[-1] or 0,
            follow_up_date=today + timedelta(days=3),
        )
        session.add(held)
        session.flush()
        session.add(
            Agreement(
                conversation_id=held.id or 0,
                text="Anne tager kurset i projektledelse og deler det bagefter med teamet "
                "på et personalemøde i det nye år",
                owner="employee",
                due=today - timedelta(days=5),
            )
        )
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_leader_sees_what_is_due_and_plans_the_conversation_in_one_tap(
    page: Page, live_server: LiveServer, size: tuple[int, int]
) -> None:
    email = f"leder.due.{size_id(size)}@example.org"
    live_server.cli(
        "create-user", "--email", email, "--name", "Leder", "--role", "leader", stdin=PASSWORD
    )
    _seed(live_server, email)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server, email=email)
    page.goto(f"{live_server.url}/?lang=en")

    due = page.locator("#due")
    expect(due.get_by_role("heading", name="What is due")).to_be_visible()
    expect(due).to_contain_text("overdue by 5 days")
    expect(due).to_contain_text("in 3 days")
    expect(due).to_contain_text("No conversation yet")
    assert page.evaluate(OVERFLOW) == 0
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, f"due-{size_id(size)}")

    due.get_by_role("link", name="Plan a conversation with Bo Ærø").tap()
    page.wait_for_url(re.compile(r"/conversations/new"))
    expect(page.get_by_label("Employee")).to_have_value("Bo Ærø")
