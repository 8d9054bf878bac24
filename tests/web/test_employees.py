from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.conversations import service as conversations
from app.db import write_session
from app.models import User
from tests.record_fixtures import full_conversation
from tests.support import PARTIAL, Client, add_user, engine_of

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def with_employee(client: Client, email: str = "leder@example.org") -> str:
    add_user(client, email)
    client.login(email)
    client.post_form("/conversations", {"employee": "Medarbejder", "date": "2026-12-01"})
    page = client.get("/employees?lang=en").text
    return re.findall(r'action="(/employees/\d+)"', page)[0]


def test_employees_list_shows_history_and_saves_email_and_team(decks_client: Client) -> None:
    url = with_employee(decks_client)
    page = decks_client.get("/employees?lang=en").text
    assert "Medarbejder" in page and "1 conversation" in page
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    saved = decks_client.post(
        url + "?lang=en",
        data={"name": "Medarbejder", "email": "m@example.org", "team": "Hjemmeplejen"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.text.lstrip().startswith('<div id="employee-table"')
    assert 'value="m@example.org"' in saved.text and "Saved" in saved.text


def test_bad_email_is_refused_in_place(decks_client: Client) -> None:
    url = with_employee(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    refused = decks_client.post(
        url + "?lang=en", data={"name": "Medarbejder", "email": "ikke en adresse"}, headers=headers
    )
    assert refused.status_code == 422
    assert "valid e-mail" in refused.text


def test_another_leaders_employee_is_404(decks_client: Client) -> None:
    url = with_employee(decks_client)
    decks_client.post_form("/logout", {})
    add_user(decks_client, "anden@example.org")
    decks_client.login("anden@example.org")
    assert "Medarbejder" not in decks_client.get("/employees").text
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    assert decks_client.post(url, data={"name": "X"}, headers=headers).status_code == 404


def test_employees_page_links_each_employees_records_zip(decks_client: Client) -> None:
    """DESIGN §4, §6: the GDPR access request starts from the employee, not from a record."""
    url = with_employee(decks_client)
    employee_id = url.rsplit("/", 1)[1]
    page = decks_client.get("/employees?lang=en").text
    href = f"/employees/{employee_id}/records.zip"
    assert f'href="{href}"' in page and "Download all records (zip)" in page
    response = decks_client.get(href)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"


# ---------------------------------------------------------------- the employee's page (issue 15)

LEADER = "leder@example.org"


def _leader_id(client: Client, email: str = LEADER) -> int:
    with write_session(engine_of(client)) as session:
        return session.exec(select(User.id).where(User.email == email)).one() or 0


def _with_history(client: Client) -> tuple[int, int]:
    """A logged-in leader with "Anne Holm" (two finished conversations, the second reviewing
    the first's agreements) and a typo'd "Anne Hlom" (one finished conversation)."""
    add_user(client, LEADER, name="Leder Åby")
    client.login(LEADER)
    uid = _leader_id(client)
    with write_session(engine_of(client)) as session:
        first = full_conversation(
            session, leader_id=uid, employee="Anne Holm", on=date(2024, 11, 1),
            agreement_text=lambda i: f"Første aftale {i + 1}",
        )  # fmt: skip
        second = full_conversation(
            session, leader_id=uid, employee="Anne Holm", on=date(2025, 11, 1), finish=False,
            agreement_text=lambda i: f"Anden aftale {i + 1}",
        )  # fmt: skip
        for agreement in conversations.previous_agreements(session, second):
            conversations.review_agreement(
                session, leader_id=uid, conversation_id=second.id or 0,
                agreement_id=agreement.id or 0, status="done", comment="Det gik godt.",
            )  # fmt: skip
        conversations.finish_conversation(
            session, leader_id=uid, conversation_id=second.id or 0, now=NOW
        )
        typo = full_conversation(session, leader_id=uid, employee="Anne Hlom", on=date(2025, 5, 1))
    return first.employee_id, typo.employee_id


def test_add_employee_without_a_conversation_goes_to_their_page(decks_client: Client) -> None:
    add_user(decks_client, LEADER)
    decks_client.login(LEADER)
    page = decks_client.get("/employees?lang=en").text
    assert "Add employee" in page
    added = decks_client.post_form(
        "/employees?lang=en",
        {"name": " Bo  Berg ", "email": "bo@example.org", "team": "Drift"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    url = added.headers["location"]
    assert re.fullmatch(r"/employees/\d+", url)
    shown = decks_client.get(url + "?lang=en").text
    assert "<h1>Bo Berg</h1>" in shown and 'value="bo@example.org"' in shown
    assert "No conversations yet." in shown
    listed = decks_client.get("/employees?lang=en").text
    assert f'href="{url}"' in listed and "0 conversations" in listed


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": ""}, "Enter the employee&#39;s name."),
        ({"name": "Bo Berg"}, "You already have an employee with that name."),
        ({"name": "Ny", "email": "ikke en adresse"}, "Enter a valid e-mail address."),
    ],
)
def test_add_employee_refuses_bad_input_beside_the_form(
    decks_client: Client, form: dict[str, str], message: str
) -> None:
    add_user(decks_client, LEADER)
    decks_client.login(LEADER)
    decks_client.post_form("/employees", {"name": "Bo Berg"})
    refused = decks_client.post_form("/employees?lang=en", form)
    assert refused.status_code == 422 and message in refused.text
    assert f'value="{form["name"]}"' in refused.text  # what was typed is kept
    assert decks_client.get("/employees?lang=en").text.count('class="employee-row-name"') == 1


def test_employee_page_lists_conversations_cards_and_agreements_in_order(
    decks_client: Client,
) -> None:
    kept, _ = _with_history(decks_client)
    page = decks_client.get(f"/employees/{kept}?lang=en")
    assert page.status_code == 200
    text = page.text
    # Conversations newest first, a finished one linking to its summary and its record.
    first = text.index("1 November 2025")
    assert first < text.index("1 November 2024")
    conversation_ids = re.findall(r'href="/conversations/(\d+)/slut"', text)
    assert len(set(conversation_ids)) == 2
    assert f'href="/conversations/{conversation_ids[0]}/export.pdf"' in text
    # The timeline: one column per conversation, every card a picture with its title as alt.
    timeline = text[text.index('class="timeline"') :]
    assert timeline.count('class="timeline-column"') == 2
    assert timeline.count('<figure class="timeline-card">') == 2 * (3 + 9)
    assert re.search(r'<img src="/media/[0-9a-f]{64}\.webp"[^>]* alt="[^"]+"', timeline)
    # Agreements newest conversation first; the first's say how they went and where.
    agreements = text[text.index('id="agreements-heading"') :]
    assert agreements.index("Anden aftale 1") < agreements.index("Første aftale 1")
    assert agreements.count("Det gik godt.") == 3
    assert "Reviewed in the conversation on" in agreements
    assert f'href="/employees/{kept}/personal-data"' in text
    assert "Anne Hlom" not in text


def test_plan_conversation_preselects_the_employee(decks_client: Client) -> None:
    kept, _ = _with_history(decks_client)
    text = decks_client.get(f"/employees/{kept}?lang=en").text
    href = re.search(r'href="(/conversations/new\?employee=[^"]+)"[^>]*>\+ Plan conversation', text)
    assert href is not None
    form = decks_client.get(href.group(1).replace("&amp;", "&")).text
    field = re.search(r'<input[^>]*name="employee"[^>]*>', form)
    assert field is not None and 'value="Anne Holm"' in field.group(0)


def test_edit_on_the_employee_page_answers_with_the_details_block(decks_client: Client) -> None:
    kept, _ = _with_history(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    saved = decks_client.post(
        f"/employees/{kept}/edit?lang=en",
        data={"name": "Anne K. Holm", "email": "anne@example.org", "team": "Drift"},
        headers=headers,
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith('<section id="employee-details"')
    assert "Saved" in saved.text and 'value="Anne K. Holm"' in saved.text
    refused = decks_client.post(
        f"/employees/{kept}/edit?lang=en", data={"name": "Anne Hlom"}, headers=headers
    )
    assert refused.status_code == 422
    assert "You already have an employee with that name." in refused.text
    assert 'value="Anne Hlom"' in refused.text  # the typed name is kept beside its message


def test_merge_confirms_then_moves_everything_into_one_history(decks_client: Client) -> None:
    kept, typo = _with_history(decks_client)
    choose = decks_client.get(f"/employees/{typo}/merge?lang=en").text
    assert f'<option value="{kept}">Anne Holm' in choose
    confirm = decks_client.get(f"/employees/{typo}/merge?into={kept}&lang=en").text
    assert "Merge Anne Hlom into Anne Holm?" in confirm and "1 conversation moves" in confirm
    assert decks_client.get(f"/employees/{typo}").status_code == 200  # nothing happened yet
    merged = decks_client.post_form(
        f"/employees/{typo}/merge", {"into": str(kept)}, follow_redirects=False
    )
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/employees/{kept}?merged=1"
    assert decks_client.get(f"/employees/{typo}").status_code == 404
    text = decks_client.get(merged.headers["location"] + "&lang=en").text
    assert text.count('class="timeline-column"') == 3
    assert "Merged with Anne Hlom on" in text
    assert "The two employees are merged" in text


def test_merge_into_themself_is_refused_with_a_message(decks_client: Client) -> None:
    kept, _ = _with_history(decks_client)
    confirm = decks_client.get(f"/employees/{kept}/merge?into={kept}&lang=en")
    assert confirm.status_code == 422 and "cannot be merged with themself" in confirm.text
    refused = decks_client.post_form(f"/employees/{kept}/merge?lang=en", {"into": str(kept)})
    assert refused.status_code == 422 and "cannot be merged with themself" in refused.text


def test_merge_while_a_conversation_runs_is_refused(decks_client: Client) -> None:
    kept, typo = _with_history(decks_client)
    with write_session(engine_of(decks_client)) as session:
        full_conversation(
            session, leader_id=_leader_id(decks_client), employee="Anne Hlom", finish=False
        )
    refused = decks_client.post_form(f"/employees/{typo}/merge?lang=en", {"into": str(kept)})
    assert refused.status_code == 409 and "still running" in refused.text
    assert decks_client.get(f"/employees/{typo}").status_code == 200


def test_another_leader_gets_404_on_every_employee_route(decks_client: Client) -> None:
    kept, typo = _with_history(decks_client)
    decks_client.post_form("/logout", {})
    add_user(decks_client, "anden@example.org")
    decks_client.login("anden@example.org")
    decks_client.post_form("/employees", {"name": "Anne Holm"})
    own = re.findall(r'href="/employees/(\d+)"', decks_client.get("/employees").text)[0]
    assert decks_client.get(f"/employees/{kept}").status_code == 404
    assert decks_client.get(f"/employees/{kept}/merge").status_code == 404
    assert decks_client.get(f"/employees/{own}/merge?into={kept}").status_code == 404
    edit = decks_client.post_form(f"/employees/{kept}/edit", {"name": "X"})
    assert edit.status_code == 404
    assert decks_client.post_form(f"/employees/{typo}/merge", {"into": own}).status_code == 404
    assert decks_client.post_form(f"/employees/{own}/merge", {"into": str(kept)}).status_code == 404
    assert decks_client.get("/employees/999999").status_code == 404
