"""The organisation overview at the tablet and on a phone (issue 16): it fits without
scrolling sideways, its charts are there with their text, and nothing is below 44 px to tap."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.db import make_engine, write_session
from tests.browser import ARTIFACTS, LiveServer, log_in, screenshot, serious_axe_violations
from tests.factories import Organisation

OVERFLOW = "document.documentElement.scrollWidth - innerWidth"
SMALL_TARGETS = """() => [...document.querySelectorAll('main a[href], main button, main select')]
  .filter(el => el.getClientRects().length)
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.height < 44)
  .map(([el, box]) => `${el.tagName} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


@pytest.fixture(scope="module")
def organisation(live_server: LiveServer) -> None:
    """Three teams (3, 5 and 7 employees, long names among the cards) with a year's MUS."""
    engine = make_engine(f"sqlite:///{live_server.data_dir / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        org = Organisation(session)
        for team, size in (("Lager", 3), ("Kundeservice og salg", 5), ("Udvikling", 7)):
            leader = org.leader()
            for n in range(size):
                org.conversation(
                    org.employee(leader, team),
                    date(2026, 2 + n % 9, 3),
                    picks=[
                        ("status", "Solopgang over en meget lang og bred fjord"),
                        ("status", "Regn"),
                        ("glad", "Samarbejde"),
                        ("less_glad", "Travlhed"),
                        ("more_glad", "Udvikling og læring"),
                    ],
                    agreements=[
                        ("Trivsel og arbejdsmiljø", ("done", "open", "partly")[n % 3], None, None)
                    ],
                )
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("size", [(1180, 820), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_overview_fits_the_tablet_and_the_phone(
    page: Page, live_server: LiveServer, organisation: None, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    log_in(page, live_server)
    page.goto(f"{live_server.url}/overview?period=2026&lang=en")
    expect(page.get_by_role("heading", name="Organisation overview")).to_be_visible()
    expect(page.get_by_text("Teams with fewer than 5 employees are shown together")).to_be_visible()
    expect(page.locator("figure svg").first).to_be_visible()
    screenshot(page, f"overview-{size[0]}x{size[1]}")
    assert page.evaluate(OVERFLOW) <= 0
    assert page.evaluate(SMALL_TARGETS) == []
    # On paper: the figures without the filters and the menu, on A4.
    page.emulate_media(media="print")
    expect(page.locator(".overview-filters")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("figure svg").first).to_be_visible()
    page.pdf(path=str(ARTIFACTS / f"overview-{size[0]}x{size[1]}.pdf"), format="A4")
    page.emulate_media(media="screen")
    page.get_by_label("Team").select_option(label="Udvikling")
    page.get_by_role("button", name="Show").tap()
    expect(page.get_by_role("heading", name="Udvikling · 2026")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert serious_axe_violations(page) == []
