from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from sqlalchemy import event

from app.accounts.sessions import SEEN_RESOLUTION
from app.models import Step
from tests.support import PARTIAL, Client, FakeClock, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql


def start_conversation(client: Client, email: str = "leder@example.org") -> str:
    add_user(client, email)
    client.login(email)
    response = client.post_form(
        "/conversations",
        {"employee": "Medarbejder", "date": "2026-12-01", "language": "en"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/conversations/\d+/start", location)
    return location.removesuffix("/start")


def card_ids(page: str, kind: str) -> list[str]:
    pattern = r'/status/(\d+)"' if kind == "status" else r'data-card-id="(\d+)"'
    return re.findall(pattern, page)


def test_home_lists_conversations_by_employee(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    page = decks_client.get("/?lang=en").text
    assert "New conversation" in page and "Medarbejder" in page and url in page


def test_new_conversation_form_has_labelled_fields(decks_client: Client) -> None:
    add_user(decks_client, "leder@example.org")
    decks_client.login("leder@example.org")
    page = decks_client.get("/conversations/new?lang=en").text
    assert '<label for="employee">Employee</label>' in page
    assert 'list="employee-names"' in page
    assert '<label for="date">Date</label>' in page


def test_missing_employee_name_keeps_the_form(decks_client: Client) -> None:
    add_user(decks_client, "leder@example.org")
    decks_client.login("leder@example.org")
    response = decks_client.post_form(
        "/conversations?lang=en", {"employee": " ", "date": "2026-12-01"}
    )
    assert response.status_code == 422
    assert "Enter the employee" in response.text


@pytest.mark.parametrize("step", list(Step))
def test_every_step_is_a_full_page_with_its_heading(decks_client: Client, step: Step) -> None:
    url = start_conversation(decks_client)
    page = decks_client.get(f"{url}/{step.value}")
    assert page.status_code == 200
    assert page.text.startswith("<!doctype html>")
    assert 'id="step-heading"' in page.text
    assert 'aria-current="step"' in page.text


def test_status_pick_returns_the_fragment_and_the_full_page_shows_it(
    decks_client: Client,
) -> None:
    url = start_conversation(decks_client)
    first = card_ids(decks_client.get(f"{url}/status").text, "status")[0]
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    fragment = decks_client.post(f"{url}/status/{first}", data={"picked": "true"}, headers=headers)
    assert fragment.status_code == 200
    # Only what changed: the tapped card, and the chosen cards beside it (out of band).
    assert fragment.text.lstrip().startswith(
        f'<button type="button" class="card card-pick" id="status-card-{first}"'
    )
    assert fragment.text.count('aria-pressed="true"') == 1
    assert 'id="chosen"' in fragment.text and 'hx-swap-oob="true"' in fragment.text
    assert len(fragment.content) < 4000
    full = decks_client.get(f"{url}/status").text
    assert full.count('aria-pressed="true"') == 1


def test_a_tap_runs_no_sql_on_the_event_loop_when_the_user_is_looked_up(
    decks_client: Client, clock: FakeClock
) -> None:
    """A statement on the event loop can wait there for SQLite's write lock (a POST's session
    begins with BEGIN IMMEDIATE) and so stop the request that holds it: with many tablets at
    once that ended in "database is locked" (DESIGN §8). The session is read on every request,
    and a minute on its last-seen time is written too: both in a worker."""
    url = start_conversation(decks_client)
    card = card_ids(decks_client.get(f"{url}/status").text, "status")[0]
    clock.advance(seconds=SEEN_RESOLUTION.total_seconds())
    on_the_loop: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: waiting here stops nobody else
        on_the_loop.append(statement)

    engine = engine_of(decks_client)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
        tap = decks_client.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert tap.status_code == 200
    assert on_the_loop == []


@pytest.mark.sqlite
def test_the_answer_to_a_write_is_read_without_the_write_lock(decks_client: Client) -> None:
    """A request takes SQLite's one write lock for its service call only, also when that
    changes nothing; the page or fragment it answers with is read in a deferred transaction.
    Rendered under the lock, with 200 tablets at once the lock was held twice as long and
    writers failed with "database is locked" (DESIGN §8)."""
    url = start_conversation(decks_client)
    card = card_ids(decks_client.get(f"{url}/arbejdsglaede").text, "board")[0]
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    begins: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    requests = {
        "place a card": lambda: decks_client.post(
            f"{url}/board/glad", data={"card_id": card}, headers=headers
        ),
        "the same tap again": lambda: decks_client.post(
            f"{url}/board/glad", data={"card_id": card}, headers=headers
        ),
        "reload the step": lambda: decks_client.get(f"{url}/arbejdsglaede"),
        "open the next step": lambda: decks_client.get(f"{url}/feedback"),
    }
    engine = engine_of(decks_client)
    write_locks: dict[str, int] = {}
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for name, send in requests.items():
            begins.clear()
            assert send().status_code == 200, name
            write_locks[name] = begins.count("BEGIN IMMEDIATE")
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert write_locks == dict.fromkeys(requests, 1)


def test_rule_breaks_come_back_as_a_message_for_htmx(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    ids = card_ids(decks_client.get(f"{url}/status?lang=en").text, "status")
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    for card in ids[:3]:
        decks_client.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers)
    refused = decks_client.post(f"{url}/status/{ids[3]}", data={"picked": "true"}, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == "#messages"
    assert "Pick at most 3 cards" in refused.text


def test_board_place_and_fourth_card_refused(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    ids = card_ids(decks_client.get(f"{url}/arbejdsglaede").text, "board")
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    for card in ids[:3]:
        response = decks_client.post(f"{url}/board/glad", data={"card_id": card}, headers=headers)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div class="board" id="board"')
    refused = decks_client.post(f"{url}/board/glad", data={"card_id": ids[3]}, headers=headers)
    assert refused.status_code == 422


def test_a_change_on_the_board_answers_the_rows_and_the_tray_cards_it_changed(
    decks_client: Client,
) -> None:
    """Not the whole tray (46 KB, and swapping it scrolled the tray back to the top)."""
    url = start_conversation(decks_client)
    ids = card_ids(decks_client.get(f"{url}/arbejdsglaede").text, "board")
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}

    def tray_cells(answer: str) -> dict[str, str]:
        cells = re.findall(
            r'<li class="pick-cell([^"]*)" id="tray-(\d+)" hx-swap-oob="true">', answer
        )
        return {card: classes.strip() for classes, card in cells}

    placed = decks_client.post(f"{url}/board/glad", data={"card_id": ids[5]}, headers=headers)
    assert placed.status_code == 200
    assert tray_cells(placed.text) == {ids[5]: "is-placed"}
    assert placed.text.count('<section class="board-row') == 3
    assert len(placed.content) < 15_000
    pick = re.findall(r"/picks/(\d+)/move", placed.text)[0]
    moved = decks_client.post(
        f"{url}/picks/{pick}/move", data={"row": "less_glad"}, headers=headers
    )
    assert tray_cells(moved.text) == {}
    assert 'class="board-row row-less_glad' in moved.text
    removed = decks_client.post(f"{url}/picks/{pick}/remove", headers=headers)
    assert tray_cells(removed.text) == {ids[5]: ""}
    # Without htmx, the step's whole page.
    page = decks_client.post(
        f"{url}/board/glad", data={"card_id": ids[6]}, headers={"x-csrftoken": decks_client.csrf}
    )
    assert page.text.startswith("<!doctype html>") and 'id="board-area"' in page.text


def test_notes_are_shown_as_text_never_as_html(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    decks_client.post(
        f"{url}/feedback/learned", data={"text": "<script>alert(1)</script>"}, headers=headers
    )
    page = decks_client.get(f"{url}/feedback").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_too_long_note_is_refused_with_the_limit(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    response = decks_client.post(
        f"{url}/feedback/learned?lang=en", data={"text": "x" * 20_000}, headers=headers
    )
    assert response.status_code == 422
    assert "at most 5000 characters" in response.text


def test_another_leaders_conversation_is_404(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    decks_client.post_form("/logout", {})
    add_user(decks_client, "anden@example.org")
    decks_client.login("anden@example.org")
    assert decks_client.get(f"{url}/status").status_code == 404
    assert decks_client.get(f"{url}/export.json").status_code == 404
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    assert (
        decks_client.post(
            f"{url}/feedback/learned", data={"text": "x"}, headers=headers
        ).status_code
        == 404
    )


def test_stale_page_gets_409_and_a_reload_link(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    ids = card_ids(decks_client.get(f"{url}/status").text, "status")
    base = {**PARTIAL, "x-csrftoken": decks_client.csrf, "X-Revision": "0"}
    decks_client.post(
        f"{url}/status/{ids[0]}", data={"picked": "true"}, headers={**base, "X-Client": "a"}
    )
    stale = decks_client.post(
        f"{url}/status/{ids[1]}?lang=en", data={"picked": "true"}, headers={**base, "X-Client": "b"}
    )
    assert stale.status_code == 409
    assert "changed on another device" in stale.text and "Reload" in stale.text


def test_finish_by_htmx_redirects_to_the_read_only_summary(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    first = card_ids(decks_client.get(f"{url}/status").text, "status")[0]
    decks_client.post(f"{url}/status/{first}", data={"picked": "true"}, headers=headers)
    decks_client.post(f"{url}/no-agreements", data={"value": "true"}, headers=headers)
    finished = decks_client.post(f"{url}/finish", headers=headers)
    assert finished.status_code == 204
    assert finished.headers["HX-Redirect"] == f"{url}/slut"
    page = decks_client.get(f"{url}/slut?lang=en").text
    assert "Finish conversation" not in page and "The conversation is finished" in page
    record = decks_client.get(f"{url}/export.json").json()
    assert record["conversation"]["status"] == "completed"
    assert record["no_agreements"] is True


def agenda_of(page: str) -> dict[str, dict[str, str]]:
    """The agenda's data per step (data-spent, data-planned, data-running)."""
    items = re.findall(r'<li class="[^"]*"\s+data-step="(\w+)"([^>]*)>', page)
    return {step: dict(re.findall(r'data-([\w-]+)="([^"]*)"', attrs)) for step, attrs in items}


def test_the_clock_starts_when_the_pair_starts_the_conversation(
    decks_client: Client, clock: FakeClock
) -> None:
    url = start_conversation(decks_client)
    page = decks_client.get(f"{url}/start?lang=en").text
    assert "Start conversation" in page
    # Next is offered before Start conversation too, and never blocked.
    assert f'href="{url}/status">Next' in page
    clock.advance(minutes=20)  # the leader only looked
    page = decks_client.get(f"{url}/start?lang=en").text
    assert all("running" not in item for item in agenda_of(page).values())
    assert "0 of 70 min in total" in page
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    started = decks_client.post(f"{url}/begin", headers=headers)
    assert started.status_code == 204 and started.headers["HX-Redirect"] == f"{url}/start"
    clock.advance(minutes=3, seconds=10)
    page = decks_client.get(f"{url}/start?lang=en").text
    assert "Start conversation" not in page
    agenda = agenda_of(page)
    assert agenda["start"] == {"spent": "190", "planned": "5", "running": "true"}
    assert agenda["status"] == {"spent": "0", "planned": "10"}
    assert f'data-server-now="{int(clock.now.timestamp())}"' in page
    assert "3 of 5 min" in page and "3 of 70 min in total" in page
    assert re.search(r'class="agenda-total" data-total-spent="190" data-planned="70"', page)


def test_the_first_change_of_step_starts_the_clock_too(
    decks_client: Client, clock: FakeClock
) -> None:
    url = start_conversation(decks_client)
    decks_client.get(f"{url}/start")
    clock.advance(minutes=7)
    page = decks_client.get(f"{url}/status?lang=en").text
    assert agenda_of(page)["status"].get("running") == "true"
    assert agenda_of(page)["start"]["spent"] == "0"
    assert "Start conversation" not in decks_client.get(f"{url}/start?lang=en").text
