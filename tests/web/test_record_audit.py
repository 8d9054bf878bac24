"""The admin's audit log page (DESIGN §4, §6): who exported or shared whose record, and when;
admins only, newest first, paged, and never a word of the conversation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app.db import write_session
from app.models import User
from app.records import audit
from tests.record_fixtures import NOTE_DA, full_conversation
from tests.support import Client, add_user, engine_of

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
    assert 'href="/admin/audit"' in decks_client.get("/decks").text


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
