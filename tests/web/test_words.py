"""The words on the conversation pages: what a Danish leader would say at the table, plain
English, and dates that read one way only (no 01/12/2026)."""

from __future__ import annotations

import re

import pytest

from app.models import Step
from tests.support import PARTIAL, Client, add_user

NUMERIC_DATE = re.compile(r"\b\d{1,4}\s*[./-]\s*\d{1,2}\s*[./-]\s*\d{2,4}\b")


def _conversation(client: Client) -> str:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    response = client.post_form(
        "/conversations",
        {"employee": "Mette Hansen", "date": "2026-12-01", "language": "da"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return str(response.headers["location"]).removesuffix("/start")


def _visible(page: str) -> str:
    """The text a reader sees: no tags, so no attribute (an ISO date in a date field's value)."""
    return re.sub(r"<[^>]+>", " ", page)


def test_a_status_note_asks_why_the_card_was_chosen(decks_client: Client) -> None:
    url = _conversation(decks_client)
    card = re.findall(r'/status/(\d+)"', decks_client.get(f"{url}/status?lang=da").text)[0]
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    picked = decks_client.post(f"{url}/status/{card}", data={"picked": "true"}, headers=headers)
    assert re.search(r'<label for="note-\d+"[^>]*>Hvorfor valgte du [^<?]+\?</label>', picked.text)
    assert "Hvad siger" not in picked.text


def test_the_board_asks_its_questions_in_plain_english(decks_client: Client) -> None:
    url = _conversation(decks_client)
    board = decks_client.get(f"{url}/arbejdsglaede?lang=en").text
    for name, question in (
        ("Glad", "What makes you happy at work?"),
        ("Less glad", "What makes you less happy at work?"),
        ("Even more glad", "What could make you even happier at work?"),
    ):
        assert f">{name}</h2>" in board and question in board
    danish = decks_client.get(f"{url}/arbejdsglaede?lang=da").text
    assert "Hvad kunne gøre dig endnu mere glad i dit arbejde?" in danish


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_page_of_a_conversation_writes_a_date_in_numbers(
    decks_client: Client, lang: str
) -> None:
    url = _conversation(decks_client)
    day = {"da": "1. december 2026", "en": "1 December 2026"}[lang]
    pages = [f"/?lang={lang}", *(f"{url}/{step.value}?lang={lang}" for step in Step)]
    for path in pages:
        text = _visible(decks_client.get(path).text)
        assert not NUMERIC_DATE.search(text), (path, NUMERIC_DATE.search(text))
    assert day in _visible(decks_client.get(f"{url}/start?lang={lang}").text)
