"""Hostile or broken input (issue 14, Bad input): each gets a clear answer in the user's
language, stores nothing and never shows a server error."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.config import Settings
from app.db import write_session, write_transaction
from app.models import Agreement, Conversation, Step
from app.security import is_trusted_host
from tests.support import (
    PARTIAL,
    PASSWORD,
    Client,
    FakeClock,
    add_user,
    deck_pages,
    engine_of,
    make_client,
    make_settings,
    record_pages,
)

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

EMAIL = "leder@example.org"
# Cookies another application on the same host may set: a space, a quote, non-ASCII.
FOREIGN_COOKIES = ['other="a b', "tracker=a b c", "navn=Søren Ærø", 'q="unterminated']


def _cookie_header(client: Client, foreign: str) -> dict[str, bytes]:
    ours = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"cookie": f"{foreign}; {ours}".encode()}


@pytest.mark.parametrize("foreign", FOREIGN_COOKIES)
def test_forms_work_beside_a_foreign_malformed_cookie(decks_client: Client, foreign: str) -> None:
    add_user(decks_client, EMAIL)
    token = decks_client.csrf
    login = decks_client.post(
        "/login",
        data={"csrftoken": token, "email": EMAIL, "password": PASSWORD},
        headers=_cookie_header(decks_client, foreign),
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    decks_client.cookies.update(login.cookies)
    created = decks_client.post(
        "/conversations",
        data={"csrftoken": token, "employee": "Medarbejder", "date": "2026-12-01"},
        headers=_cookie_header(decks_client, foreign),
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    assert re.fullmatch(r"/conversations/\d+/start", created.headers["location"])


def test_a_foreign_cookie_does_not_stand_in_for_the_token(client: Client) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    refused = client.post(
        "/conversations",
        data={"employee": "Medarbejder", "date": "2026-12-01"},
        headers=_cookie_header(client, 'other="a b'),
    )
    assert refused.status_code == 403
    assert "Genindlæs siden" in refused.text


def test_multipart_with_a_stale_token_header_is_refused_cleanly(client: Client) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    stale = client.post(
        "/logout",
        files={"file": ("a.txt", b"x")},
        data={"csrftoken": client.csrf},
        headers={"x-csrftoken": "stale-token-from-an-old-page"},
    )
    assert stale.status_code == 403
    assert "Genindlæs siden" in stale.text


def test_multipart_with_a_stale_header_and_no_form_token_is_refused(client: Client) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    stale = client.post(
        "/logout", files={"file": ("a.txt", b"x")}, headers={"x-csrftoken": "stale"}
    )
    assert stale.status_code == 403
    assert "Genindlæs siden" in stale.text


@pytest.mark.parametrize("authorization", ["Bearer abc", "Bearer ", "Basic eDp5"])
def test_an_authorization_header_does_not_switch_the_csrf_check_off(
    client: Client, authorization: str
) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    refused = client.post(
        "/conversations",
        data={"employee": "Medarbejder", "date": "2026-12-01"},
        headers={"authorization": authorization},
    )
    assert refused.status_code == 403
    assert "Genindlæs siden" in refused.text
    logout = client.post("/logout", headers={"authorization": authorization})
    assert logout.status_code == 403


def test_a_form_body_that_is_not_utf8_is_refused_cleanly(client: Client) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    refused = client.post(
        "/logout",
        content=b"csrftoken=\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 403
    assert "Genindlæs siden" in refused.text


def test_a_validation_error_is_a_page_in_the_users_language_without_the_input(
    client: Client,
) -> None:
    add_user(client, EMAIL)
    secret = "hemmelig-" * 120  # longer than a password may be: refused before any check
    form = {"csrftoken": client.csrf, "email": EMAIL, "password": secret}
    response = client.post("/login", data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "hemmelig" not in response.text and EMAIL not in response.text
    assert "Tjek felterne" in response.text
    english = client.post("/login?lang=en", data=form)
    assert "Check the fields" in english.text and "hemmelig" not in english.text


def test_a_validation_error_in_a_fragment_goes_to_the_message_area(client: Client) -> None:
    add_user(client, EMAIL)
    client.login(EMAIL)
    response = client.post(
        "/conversations/1/agreements",
        data={"text": "Hemmelig aftale", "owner": "Hemmelig ejer" * 3},
        headers={**PARTIAL, "x-csrftoken": client.csrf},
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#messages"
    assert "Hemmelig aftale" not in response.text and "Tjek felterne" in response.text
    assert not response.text.lstrip().startswith("<!doctype")


EXPORTS = ["export.pdf", "agreements.pdf", "export.md", "export.docx", "export.json"]


def test_every_conversation_page_and_export_is_no_store(decks_client: Client) -> None:
    conversation = record_pages.setup(decks_client)
    url = f"/conversations/{conversation.id}"
    paths = [url, *(f"{url}/{step.value}" for step in Step), f"{url}/share"]
    paths += [f"{url}/{name}" for name in [*EXPORTS, "followup.ics"]]
    paths += ["/", f"/employees/{conversation.employee_id}/records.zip"]
    for path in paths:
        for headers in ({}, PARTIAL):
            response = decks_client.get(path, headers=headers)
            assert response.status_code in (200, 204), (path, response.text)
            assert "no-store" in response.headers["cache-control"], path
    shared = decks_client.get(record_pages.share_link(decks_client, conversation.id or 0))
    assert shared.status_code == 200 and "no-store" in shared.headers["cache-control"]


def test_a_deeply_nested_deck_toml_is_refused_and_the_upload_page_still_works(
    client: Client,
) -> None:
    facilitator = deck_pages.as_role(client, "facilitator")
    deep = ("a = " + "[" * 50_000 + "]" * 50_000 + "\n").encode()
    zip_data = deck_pages.zip_of(1, ("deck.toml", deep))
    response = deck_pages.upload(facilitator, [("b.zip", zip_data)])
    assert response.status_code == 303, response.text
    report = facilitator.get(response.headers["location"])
    assert report.status_code == 200
    assert "deck.toml er indlejret for dybt" in report.text
    assert facilitator.get("/decks/new").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_a_conversation_date_outside_2000_to_2100_is_refused(
    decks_client: Client, day: str
) -> None:
    add_user(decks_client, EMAIL)
    decks_client.login(EMAIL)
    response = decks_client.post_form("/conversations", {"employee": "Medarbejder", "date": day})
    assert response.status_code == 422
    assert "mellem år 2000 og 2100" in response.text
    with write_session(engine_of(decks_client)) as session:
        assert session.exec(select(Conversation)).all() == []


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_deadline_or_follow_up_date_outside_2000_to_2100_is_refused(
    decks_client: Client, day: str
) -> None:
    conversation = record_pages.setup(decks_client, finish=False)
    url = f"/conversations/{conversation.id}"
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    form = {"text": "Et kursus", "owner": "employee", "due": day}
    agreement = decks_client.post(f"{url}/agreements", data=form, headers=headers)
    assert agreement.status_code == 422
    assert "mellem år 2000 og 2100" in agreement.text
    follow_up = decks_client.post(f"{url}/follow-up", data={"follow_up_date": day}, headers=headers)
    assert follow_up.status_code == 422
    assert "mellem år 2000 og 2100" in follow_up.text
    with write_session(engine_of(decks_client)) as session:
        stored = session.get(Conversation, conversation.id)
        assert stored is not None and stored.follow_up_date == conversation.follow_up_date
        assert all(a.due != date.fromisoformat(day) for a in session.exec(select(Agreement)))


def test_the_ics_copes_with_dates_already_stored_at_the_ends_of_the_calendar(
    decks_client: Client,
) -> None:
    conversation = record_pages.setup(decks_client, finish=False)
    with write_session(engine_of(decks_client)) as session, write_transaction(session):
        stored = session.get(Conversation, conversation.id)
        assert stored is not None
        stored.follow_up_date = date.max
        session.add(stored)
        agreements = list(session.exec(select(Agreement)))
        agreements[0].due, agreements[1].due = date.max, date.min
        session.add_all(agreements)
    finished = decks_client.post(
        f"/conversations/{conversation.id}/finish",
        headers={"x-csrftoken": decks_client.csrf},
        follow_redirects=False,
    )
    assert finished.status_code == 303, finished.text
    response = decks_client.get(f"/conversations/{conversation.id}/followup.ics")
    assert response.status_code == 200
    assert "DTSTART;VALUE=DATE:99991231" in response.text
    for name in EXPORTS:
        export = decks_client.get(f"/conversations/{conversation.id}/{name}")
        assert export.status_code == 200, name


HUGE = ["99999999999999999999999", "9223372036854775808", "3000000000", "-9223372036854775809"]


@pytest.mark.parametrize("number", HUGE)
def test_a_number_beyond_the_database_range_is_a_404_page(
    decks_client: Client, number: str
) -> None:
    conversation = record_pages.setup(decks_client, finish=False)
    url = f"/conversations/{conversation.id}"
    headers = {"x-csrftoken": decks_client.csrf}
    answers = [
        decks_client.get(f"/conversations/{number}/start"),
        decks_client.get(f"/conversations/{number}/export.json"),
        decks_client.get(f"/employees/{number}/records.zip"),
        decks_client.post(f"{url}/status/{number}", headers=headers),
        decks_client.post(f"{url}/board/glad", data={"card_id": number}, headers=headers),
        decks_client.post(f"/employees/{number}", data={"name": "X"}, headers=headers),
    ]
    if not number.startswith("-"):  # the card field takes ids; a sign makes it no id at all
        answers.append(
            decks_client.post(
                f"{url}/agreements",
                data={"text": "Et kursus", "owner": "both", "cards": number},
                headers=headers,
            )
        )
    facilitator = deck_pages.as_role(decks_client, "facilitator")
    answers.append(facilitator.post(f"/decks/status/cards/{number}/remove", headers=headers))
    for response in answers:
        assert response.status_code in (404, 422), (response.url, response.text[:300])
        assert response.headers["content-type"].startswith("text/html"), response.url
    with write_session(engine_of(decks_client)) as session:
        assert len(session.exec(select(Agreement)).all()) == 3


EVIL = {"host": "evil.example"}


def test_a_foreign_host_header_is_refused_before_any_link_is_made(decks_client: Client) -> None:
    conversation = record_pages.setup(decks_client)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf, **EVIL}
    share = decks_client.post(f"/conversations/{conversation.id}/share", headers=headers)
    assert share.status_code == 400
    assert "evil.example" not in share.text and "adresse" in share.text
    page = decks_client.get(f"/conversations/{conversation.id}/share", headers=EVIL)
    assert page.status_code == 400 and "evil.example" not in page.text
    logout = decks_client.post(
        "/logout", headers={"x-csrftoken": decks_client.csrf, **EVIL}, follow_redirects=False
    )
    assert logout.status_code == 400 and "location" not in logout.headers
    login = decks_client.get("/conversations/new", headers=EVIL, follow_redirects=False)
    assert login.status_code == 400 and "location" not in login.headers
    # The same client on the trusted address is still logged in: nothing happened.
    assert decks_client.get(f"/conversations/{conversation.id}/start").status_code == 200


def test_links_and_the_qr_code_are_built_from_the_base_url(
    settings_with_decks: Settings, clock: FakeClock
) -> None:
    settings = settings_with_decks.model_copy(
        update={"base_url": "https://mus.example.dk", "allowed_hosts": ["testserver"]}
    )
    with make_client(settings, clock) as client:
        conversation = record_pages.setup(client)
        link = record_pages.share_link(client, conversation.id or 0)
        assert link.startswith("https://mus.example.dk/r/")
        fragment = client.get(f"/conversations/{conversation.id}/share").text
        assert "https://mus.example.dk/r/" in fragment and "testserver" not in fragment
        logout = client.post(
            "/logout", headers={"x-csrftoken": client.csrf}, follow_redirects=False
        )
        assert logout.headers["location"] == "/login"


@pytest.mark.parametrize(
    ("base_url", "allowed", "host", "trusted"),
    [
        ("", [], "127.0.0.1:8000", True),
        ("", [], "localhost", True),
        ("", [], "[::1]:8000", True),
        ("", [], "evil.example", False),
        ("", [], "", False),
        ("https://mus.example.dk", [], "mus.example.dk", True),
        ("https://mus.example.dk", [], "MUS.example.dk:443", True),
        ("https://mus.example.dk", [], "evil.example", False),
        ("https://mus.example.dk", [], "mus.example.dk.evil.example", False),
        ("", ["hr.example.dk"], "hr.example.dk", True),
        ("", ["*"], "anything.example", True),
    ],
)
def test_which_hosts_are_trusted(
    tmp_path: Path, base_url: str, allowed: list[str], host: str, trusted: bool
) -> None:
    values: dict[str, object] = {"allowed_hosts": allowed}
    if base_url:
        values["base_url"] = base_url
    settings = make_settings(tmp_path, **values)
    assert is_trusted_host(host, settings.trusted_hosts) is trusted
