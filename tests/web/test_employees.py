from __future__ import annotations

import re

from tests.support import PARTIAL, Client, add_user


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
