"""The admin's audit log page (DESIGN §4, §6): who exported or shared whose record, and when;
admins only, newest first, paged, and never a word of the conversation."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.db import write_session
from app.models import User
from app.records import audit
from tests.record_fixtures import NOTE_DA, full_conversation
from tests.support import Client, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

ADMIN = "admin@example.org"
LEADER = "leder@example.org"


def finished_and_exported(client: Client) -> int:
    add_user(client, LEADER, name="Leder Åby")
    engine = engine_of(client)
    with write_session(engine) as session:
        user = session.exec(select(User).where(User.email == LEADER)).one()
        conversation = full_conversation(session, leader_id=user.id or 0)
    client.login(LEADER)
    cid = conversation.id or 0
    assert client.get(f"/conversations/{cid}/agreements.pdf").status_code == 200
    client.post(f"/conversations/{cid}/share", headers={"x-csrftoken": client.csrf})
    client.post_form("/logout", {})
    return cid


def rows(page: str) -> list[str]:
    return re.findall(r"<tr>\s*<td class=\"audit-when\">.*?</tr>", page, re.S)


def test_admin_reads_who_did_what_and_no_employee_words(decks_client: Client) -> None:
    cid = finished_and_exported(decks_client)
    add_user(decks_client, ADMIN, role="admin", name="Ada Admin")
    decks_client.login(ADMIN)
    response = decks_client.get("/admin/audit?lang=en")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    page = response.text
    found = rows(page)
    assert len(found) == 3
    # Newest first: the share page the link's making led to, the link, the agreements sheet.
    assert "Viewed the page with the employee&#39;s link" in found[0]
    assert "Made a link for the employee" in found[1] and "Leder Åby" in found[1]
    assert "Exported a record" in found[2] and "agreements" in found[2]
    assert f"#{cid}" in found[2]
    assert "Medarbejder Ærø-Øst" not in page and NOTE_DA not in page
    # The time in Copenhagen, year first: 01/12/2026 would read as January in the US.
    assert all('<td class="audit-when">2026-12-01 10:00</td>' in row for row in found)
    assert 'href="/admin/audit" aria-current="page"' in page


def test_audit_log_is_for_admins_only_and_in_their_menu(decks_client: Client) -> None:
    finished_and_exported(decks_client)
    decks_client.login(LEADER)
    assert "/admin/audit" not in decks_client.get("/employees").text
    assert decks_client.get("/admin/audit").status_code == 403
    add_user(decks_client, "facilitator@example.org", role="facilitator")
    decks_client.login("facilitator@example.org")
    assert decks_client.get("/admin/audit").status_code == 403
    add_user(decks_client, ADMIN, role="admin")
    decks_client.login(ADMIN)
    # The menu's Administration leads to the admin's pages, whose own menu has the log.
    assert 'href="/admin/users"' in decks_client.get("/decks").text
    assert 'href="/admin/audit"' in decks_client.get("/admin/users").text


def test_audit_log_pages_by_the_latest_entries(client: Client) -> None:
    engine = engine_of(client)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with write_session(engine) as session:
        for i in range(audit.PAGE_SIZE + 5):
            audit.log(
                session,
                action="share_opened",
                at=start + timedelta(minutes=i),
                conversation_id=i + 1,
                share_id=1,
            )
        session.commit()
    add_user(client, ADMIN, role="admin")
    client.login(ADMIN)
    first = client.get("/admin/audit?lang=en").text
    assert len(rows(first)) == audit.PAGE_SIZE
    assert f"#{audit.PAGE_SIZE + 5}<" in rows(first)[0]  # the newest on top
    assert "The employee&#39;s link" in rows(first)[0]
    older = re.search(r'href="(/admin/audit\?before=\d+)"', first)
    assert older
    second = client.get(older.group(1) + "&lang=en").text
    ids = [re.findall(r"<td>#(\d+)</td>", row)[0] for row in rows(second)]
    assert ids == ["5", "4", "3", "2", "1"]
    assert "?before=" not in second and "Newest events" in second


def test_empty_audit_log_says_so(client: Client) -> None:
    add_user(client, ADMIN, role="admin")
    client.login(ADMIN)
    assert "Nothing has been exported or shared yet." in client.get("/admin/audit?lang=en").text


def _seed(client: Client) -> dict[str, int]:
    """Three people's events on three days: a leader's exports, another's views, a link."""
    add_user(client, "a@example.org", name="Anne Andersen")
    add_user(client, "b@example.org", name="Bo Bæk")
    engine = engine_of(client)
    with write_session(engine) as session:
        ids = {
            u.email: u.id or 0
            for u in session.exec(select(User).where(col(User.email).endswith("@example.org")))
        }
        for day in (1, 2, 3):
            at = datetime(2026, 11, day, 12, 0, tzinfo=UTC)
            audit.log(session, action="export", at=at, user_id=ids["a@example.org"], format="pdf",
                      conversation_id=10 + day, employee_id=5)  # fmt: skip
            audit.log(session, action="view", at=at, user_id=ids["b@example.org"], format="status",
                      conversation_id=20 + day, employee_id=6)  # fmt: skip
        audit.log(session, action="share_opened", at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
                  conversation_id=99, share_id=1)  # fmt: skip
        session.commit()
    add_user(client, ADMIN, role="admin", name="Ada Admin")
    client.login(ADMIN)
    return ids


def test_admin_filters_the_log_by_person_action_and_days(client: Client) -> None:
    ids = _seed(client)
    by_person = client.get(f"/admin/audit?lang=en&user={ids['a@example.org']}").text
    assert len(rows(by_person)) == 3 and all("Anne Andersen" in r for r in rows(by_person))
    by_action = client.get("/admin/audit?lang=en&action=view").text
    assert len(rows(by_action)) == 3 and all("Viewed a conversation" in r for r in rows(by_action))
    # 2 November in Copenhagen: 23:30 UTC on the 2nd is already the 3rd there.
    one_day = client.get("/admin/audit?lang=en&since=2026-11-02&until=2026-11-02").text
    assert sorted(re.findall(r"<td>#(\d+)</td>", "".join(rows(one_day)))) == ["12", "22", "5", "6"]
    both = client.get(
        f"/admin/audit?lang=en&user={ids['b@example.org']}&action=view&since=2026-11-02"
    ).text
    assert len(rows(both)) == 2
    page = client.get("/admin/audit?lang=en&action=export").text
    assert 'href="/admin/audit.csv?action=export"' in page
    assert '<option value="export" selected>' in page
    nothing = client.get("/admin/audit?lang=en&action=reopen").text
    assert rows(nothing) == [] and "No events match the filter." in nothing


def test_a_date_that_is_not_one_is_refused_on_the_page(client: Client) -> None:
    _seed(client)
    for query in ("since=9999-12-31", "since=2026-13-01", "since=2026-11-03&until=2026-11-01"):
        response = client.get(f"/admin/audit?lang=en&{query}")
        assert response.status_code == 422, query
        assert 'role="alert"' in response.text and "<table" in response.text


def test_older_pages_keep_the_filter(client: Client) -> None:
    engine = engine_of(client)
    with write_session(engine) as session:
        for i in range(audit.PAGE_SIZE + 3):
            for action in ("export", "view"):
                audit.log(session, action=action, at=datetime(2026, 11, 1, tzinfo=UTC),
                          user_id=1, conversation_id=i + 1)  # fmt: skip
        session.commit()
    add_user(client, ADMIN, role="admin")
    client.login(ADMIN)
    first = client.get("/admin/audit?lang=en&action=view").text
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', first)
    assert older and "action=view" in older.group(1)
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert len(rows(second)) == 3 and all("Viewed a conversation" in r for r in rows(second))


def test_the_csv_has_the_same_filter_a_header_and_no_words(decks_client: Client) -> None:
    finished_and_exported(decks_client)
    ids = _seed(decks_client)
    response = decks_client.get(f"/admin/audit.csv?user={ids['a@example.org']}&since=2026-11-02")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(audit.CSV_COLUMNS)
    assert [(r[3], r[5], r[7]) for r in table[1:]] == [
        ("Anne Andersen", "export", "13"),
        ("Anne Andersen", "export", "12"),
    ]
    everything = decks_client.get("/admin/audit.csv").content.decode("utf-8-sig")
    assert "Leder Åby" in everything and "share_opened" in everything
    assert NOTE_DA not in everything and "Medarbejder Ærø-Øst" not in everything
    # The download itself is in the log.
    assert "Downloaded the audit log" in rows(decks_client.get("/admin/audit?lang=en").text)[0]


def test_a_name_that_looks_like_a_formula_is_text_in_the_csv(client: Client) -> None:
    add_user(client, "x@example.org", name="=HYPERLINK(1)")
    with write_session(engine_of(client)) as session:
        uid = session.exec(select(User.id).where(User.email == "x@example.org")).one()
        audit.log(session, action="export", at=datetime(2026, 11, 1, tzinfo=UTC), user_id=uid)
        session.commit()
    add_user(client, ADMIN, role="admin")
    client.login(ADMIN)
    text = client.get("/admin/audit.csv").content.decode("utf-8-sig")
    assert ";'=HYPERLINK(1);" in text
