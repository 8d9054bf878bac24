"""The employee's preparation page over HTTP (issue 15): the leader's `Preparation link`, the
page under /p/ without login, topics that reach the leader's Start step and the record, and
private notes that no page, export or record of the leader ever shows."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from sqlmodel import select

from app.db import write_session
from app.models import AuditEvent, Conversation, ConversationTopic, Employee
from app.settings import service as settings
from tests.support import PARTIAL, Client, FakeClock, add_user, engine_of

SECRET = "HEMMELIG-NOTE-4711"


def plan(client: Client, **fields: str) -> int:
    """Log in as a leader (once) and plan a conversation; its id."""
    if not client.cookies:
        add_user(client, "leder@example.org", name="Lene Leder")
        client.login("leder@example.org")
    values = {
        "employee": "Medarbejder",
        "date": "2026-12-08",
        "time": "13:30",
        "duration": "60",
        "place": "Mødelokale 2",
        "language": "en",
    }
    values.update(fields)
    response = client.post_form("/conversations", values, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/conversations/(\d+)/start", response.headers["location"])
    assert found
    return int(found.group(1))


@pytest.fixture
def leader(decks_client: Client) -> Client:
    return decks_client


def preparation_link(leader: Client, cid: int) -> str:
    """Press `Preparation link` on the Start step; the /p/ path it shows."""
    start = leader.get(f"/conversations/{cid}/start?lang=en").text
    assert ">Preparation link</button>" in start
    response = leader.post_form(f"/conversations/{cid}/preparation", {}, follow_redirects=True)
    assert response.status_code == 200
    found = re.search(r'href="https?://[^"/]+(/p/[a-z0-9]+)"', response.text)
    assert found, response.text
    assert "<svg" in response.text  # the QR code
    return found.group(1)


def visitor(leader: Client) -> Client:
    """A phone without any cookie of the leader's."""
    return Client(leader.app)


def audit_actions(client: Client) -> list[str]:
    with write_session(engine_of(client)) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


def test_the_employee_adds_a_topic_that_the_leader_sees_and_ticks(leader: Client) -> None:
    cid = plan(leader)
    path = preparation_link(leader, cid)
    phone = visitor(leader)
    page = phone.get(path + "?lang=en")
    assert page.status_code == 200
    assert "8 December 2026 at 13:30" in page.text and "Mødelokale 2" in page.text
    assert '<label for="prep-topic">Your topic</label>' in page.text
    assert ">Add topic</button>" in page.text
    assert 'href="/privacy"' in page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert "session" not in phone.cookies  # no login, no session
    assert "preparation_viewed" in audit_actions(leader)

    added = phone.post_form(
        path + "/topics", {"text": "Mere hjemmearbejde"}, follow_redirects=False
    )
    assert added.status_code == 303
    assert "Mere hjemmearbejde" in phone.get(path).text

    start = leader.get(f"/conversations/{cid}/start?lang=en").text
    assert "Topics for today" in start and "Mere hjemmearbejde" in start
    assert "from the employee" in start
    with write_session(engine_of(leader)) as session:
        topic = session.exec(select(ConversationTopic)).one()
    ticked = leader.post(
        f"/conversations/{cid}/topics/{topic.id}/discussed",
        data={"discussed": "on"},
        headers={**PARTIAL, "x-csrftoken": leader.csrf},
    )
    assert ticked.status_code == 200 and 'id="topics"' in ticked.text and "checked" in ticked.text
    record = leader.get(f"/conversations/{cid}/export.json").json()
    assert record["topics"] == [
        {"text": "Mere hjemmearbejde", "from": "employee", "discussed": True}
    ]
    markdown = leader.get(f"/conversations/{cid}/export.md?lang=en").text
    assert "Mere hjemmearbejde" in markdown
    assert "Topics talked about" in markdown
    pdf = leader.get(f"/conversations/{cid}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = zipfile.ZipFile(io.BytesIO(leader.get(f"/conversations/{cid}/export.docx").content))
    assert "Mere hjemmearbejde" in docx.read("word/document.xml").decode()


def test_the_leader_adds_a_topic_too(leader: Client) -> None:
    cid = plan(leader)
    response = leader.post(
        f"/conversations/{cid}/topics",
        data={"text": "Ny rolle"},
        headers={**PARTIAL, "x-csrftoken": leader.csrf},
    )
    assert response.status_code == 200 and "Ny rolle" in response.text
    assert "from the leader" in leader.get(f"/conversations/{cid}/start?lang=en").text


def test_private_notes_never_reach_the_leader(leader: Client) -> None:
    cid = plan(leader)
    path = preparation_link(leader, cid)
    phone = visitor(leader)
    phone.get(path)
    assert (
        phone.post_form(path + "/notes", {"text": SECRET}, follow_redirects=False).status_code
        == 303
    )
    assert SECRET in phone.get(path).text
    with write_session(engine_of(leader)) as session:
        conversation = session.get(Conversation, cid)
        assert conversation is not None
        employee = session.get(Employee, conversation.employee_id)
        assert employee is not None
        eid = employee.id
    urls = [
        f"/conversations/{cid}/{step}"
        for step in ("start", "status", "arbejdsglaede", "feedback", "aftaler", "slut")
    ]
    urls += [
        f"/conversations/{cid}/preparation",
        f"/conversations/{cid}/export.json",
        f"/conversations/{cid}/export.md",
        f"/conversations/{cid}/export.docx",
        f"/conversations/{cid}/invitation.ics",
        f"/employees/{eid}",
        f"/employees/{eid}/personal-data",
        "/",
    ]
    for url in urls:
        response = leader.get(url)
        assert SECRET not in response.text, url
        if url.endswith(".docx"):
            with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
                assert all(
                    SECRET not in docx.read(n).decode("utf-8", "replace") for n in docx.namelist()
                )
    archive = zipfile.ZipFile(io.BytesIO(leader.get(f"/employees/{eid}/everything.zip").content))
    assert SECRET not in json.dumps(
        json.loads(archive.read("personal-data.json")), ensure_ascii=False
    )


def test_a_note_brought_into_the_conversation_becomes_the_employees_topic(leader: Client) -> None:
    cid = plan(leader)
    path = preparation_link(leader, cid)
    phone = visitor(leader)
    phone.get(path)
    phone.post_form(path + "/notes", {"text": "Jeg vil tale om kurser"})
    page = phone.get(path + "?lang=en").text
    note_id = re.search(r'/notes/(\d+)/bring"', page)
    assert note_id
    phone.post_form(f"{path}/notes/{note_id.group(1)}/bring", {})
    assert "Jeg vil tale om kurser" in leader.get(f"/conversations/{cid}/start").text
    assert "Brought into the conversation" in phone.get(path + "?lang=en").text


def gone_text(response_text: str) -> str:
    main = re.search(r"<main.*?</main>", response_text, re.S)
    assert main
    return main.group(0)


def test_unknown_expired_and_revoked_links_get_one_and_the_same_page(
    leader: Client, clock: FakeClock
) -> None:
    cid = plan(leader, date="2026-12-01")  # the fake clock's today
    phone = visitor(leader)
    unknown = phone.get("/p/abcdefghjkmnpqrs")
    revoked_path = preparation_link(leader, cid)
    leader.post_form(f"/conversations/{cid}/preparation/revoke", {})
    revoked = phone.get(revoked_path)
    expired_path = preparation_link(leader, cid)
    assert expired_path != revoked_path
    clock.now += timedelta(days=1)
    expired = phone.get(expired_path)
    for response in (unknown, revoked, expired):
        assert response.status_code == 404
        assert "This preparation link does not work." in response.text
        assert "Dette forberedelseslink virker ikke." in response.text
    assert gone_text(unknown.text) == gone_text(revoked.text) == gone_text(expired.text)


def test_a_new_link_replaces_the_old(leader: Client) -> None:
    cid = plan(leader)
    old = preparation_link(leader, cid)
    assert preparation_link(leader, cid) == old  # shown again, not replaced
    leader.post_form(f"/conversations/{cid}/preparation/new", {})
    new = preparation_link(leader, cid)
    assert new != old
    phone = visitor(leader)
    assert phone.get(old).status_code == 404
    assert phone.get(new).status_code == 200


def test_another_conversations_topic_is_refused(leader: Client) -> None:
    first = plan(leader)
    second = plan(leader, employee="En anden")
    mine, theirs = preparation_link(leader, first), preparation_link(leader, second)
    phone = visitor(leader)
    phone.get(theirs)
    phone.post_form(theirs + "/topics", {"text": "Deres emne"})
    phone.post_form(theirs + "/notes", {"text": "Deres note"})
    with write_session(engine_of(leader)) as session:
        topic = session.exec(select(ConversationTopic)).one()
    page = phone.get(theirs + "?lang=en").text
    note_id = re.search(r'/notes/(\d+)/bring"', page)
    assert note_id
    for url in (
        f"{mine}/topics/{topic.id}/delete",
        f"{mine}/notes/{note_id.group(1)}/bring",
        f"{mine}/notes/{note_id.group(1)}/delete",
    ):
        assert phone.post_form(url, {}).status_code == 404
    assert "Deres note" not in phone.get(mine).text
    assert "Deres emne" in phone.get(theirs).text


@pytest.mark.parametrize(("field", "text"), [("topics", ""), ("topics", "x" * 501), ("notes", " ")])
def test_a_bad_topic_or_note_is_refused_beside_its_field(
    leader: Client, field: str, text: str
) -> None:
    cid = plan(leader)
    path = preparation_link(leader, cid)
    phone = visitor(leader)
    phone.get(path)
    response = phone.post_form(f"{path}/{field}?lang=en", {"text": text})
    assert response.status_code == 422
    assert 'class="message message-error" role="alert"' in response.text


def test_the_invitation_carries_the_preparation_link(leader: Client) -> None:
    cid = plan(leader)
    assert "/p/" not in leader.get(f"/conversations/{cid}/invitation.ics").text
    path = preparation_link(leader, cid)
    assert path in leader.get(f"/conversations/{cid}/invitation.ics").text.replace("\r\n ", "")


def test_the_page_lists_every_active_focus_area_of_the_snapshot(leader: Client) -> None:
    with write_session(engine_of(leader)) as session:
        for name, description in (("Grøn omstilling", "Mindre spild"), ("Trivsel", "")):
            settings.add_focus_area(
                session, name_da=name, name_en=name + " EN", description_da=description
            )
        archived = settings.add_focus_area(session, name_da="Gammelt fokus")
        settings.set_focus_area_archived(session, area_id=archived.id or 0, archived=True)
        session.commit()
    cid = plan(leader)
    path = preparation_link(leader, cid)
    page = visitor(leader).get(path + "?lang=da").text
    assert "Grøn omstilling" in page and "Mindre spild" in page and "Trivsel" in page
    assert "Gammelt fokus" not in page
    english = visitor(leader).get(path + "?lang=en").text
    assert "Grøn omstilling EN" in english


def test_the_page_shows_the_questions_the_leader_marked(leader: Client) -> None:
    cid = plan(leader)
    prepare = leader.get(f"/conversations/{cid}/prepare?lang=en").text
    offered = dict(
        re.findall(r'name="question" value="([a-z_]+:\d+)"[^>]*> <span>(.*?)</span>', prepare)
    )
    saved = leader.post_form(
        f"/conversations/{cid}/prepare",
        {"question": ["status:0", "status:1"], "marked": ["status:1"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = visitor(leader).get(f"{preparation_link(leader, cid)}?lang=en").text
    assert html.unescape(offered["status:1"]) in html.unescape(page)
    # Chosen for the leader's guide but not marked: the employee does not see it.
    assert html.unescape(offered["status:0"]) not in html.unescape(page)
