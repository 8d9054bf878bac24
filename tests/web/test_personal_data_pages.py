"""Access and erasure for one employee in the browser (DESIGN §6): the leader from their list
of employees, the admin from the audit log's page; nobody else."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlmodel import select

from app.db import write_session
from app.models import Employee, User
from tests.record_fixtures import full_conversation
from tests.support import Client, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

LEADER = "leder@example.org"
NAME = "Medarbejder Ærø-Øst"


def _employee(client: Client) -> int:
    add_user(client, LEADER, name="Leder Åby")
    with write_session(engine_of(client)) as session:
        user = session.exec(select(User).where(User.email == LEADER)).one()
        conversation = full_conversation(session, leader_id=user.id or 0, employee=NAME)
    return conversation.employee_id


def test_the_leader_downloads_everything_and_erases_after_typing_the_name(
    decks_client: Client,
) -> None:
    eid = _employee(decks_client)
    decks_client.login(LEADER)
    assert f'href="/employees/{eid}/personal-data"' in decks_client.get("/employees").text
    page = decks_client.get(f"/employees/{eid}/personal-data?lang=en")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Download everything" in page.text and "Erase everything" in page.text
    download = decks_client.get(f"/employees/{eid}/everything.zip")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert json.loads(archive.read("personal-data.json"))["employee"]["name"] == NAME
    wrong = decks_client.post_form(f"/employees/{eid}/erase?lang=en", {"name": "Medarbejder"})
    assert wrong.status_code == 422 and "exactly as it is written" in wrong.text
    done = decks_client.post_form(f"/employees/{eid}/erase?lang=en", {"name": NAME})
    assert done.status_code == 200
    assert "Everything stored about the employee is erased" in done.text
    assert NAME not in done.text
    with write_session(engine_of(decks_client)) as session:
        assert session.get(Employee, eid) is None
    assert decks_client.get(f"/employees/{eid}/personal-data").status_code == 404


def test_another_leader_finds_nothing_and_the_admin_finds_everyone(decks_client: Client) -> None:
    eid = _employee(decks_client)
    add_user(decks_client, "anden@example.org")
    decks_client.login("anden@example.org")
    assert decks_client.get(f"/employees/{eid}/personal-data").status_code == 404
    assert decks_client.get(f"/employees/{eid}/everything.zip").status_code == 404
    refused = decks_client.post_form(f"/employees/{eid}/erase", {"name": NAME})
    assert refused.status_code == 404
    assert decks_client.get("/admin/personal-data").status_code == 403
    add_user(decks_client, "admin@example.org", role="admin")
    decks_client.login("admin@example.org")
    listing = decks_client.get("/admin/personal-data?lang=en").text
    assert f'href="/employees/{eid}/personal-data"' in listing and "Leder Åby" in listing
    assert 'href="/admin/personal-data"' in decks_client.get("/admin/audit").text
    assert decks_client.get(f"/employees/{eid}/personal-data").status_code == 200
    done = decks_client.post_form(f"/employees/{eid}/erase?lang=en", {"name": NAME})
    assert done.status_code == 200
    audit_page = decks_client.get("/admin/audit?lang=en&action=erasure").text
    assert "Erased an employee" in audit_page and f"#{eid}<" in audit_page
    assert NAME not in audit_page
