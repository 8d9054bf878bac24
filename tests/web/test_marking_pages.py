"""The leader's Prepare page, the chosen questions in the guide, the focus areas on Start and
the employee's choice to share their suggestions, over HTTP (issue 15)."""

from __future__ import annotations

import html
import io
import re

import httpx2 as httpx
import pytest
from docx import Document
from pypdf import PdfReader

from app.db import write_session
from app.models import FocusArea
from tests.support import PARTIAL, Client, add_user, engine_of


def _area(client: Client, name_da: str, name_en: str) -> int:
    with write_session(engine_of(client)) as session:
        area = FocusArea(name_da=name_da, name_en=name_en)
        session.add(area)
        session.commit()
        return area.id or 0


def _plan(client: Client, email: str = "leder@example.org") -> int:
    add_user(client, email, name="Lene Leder")
    client.login(email)
    response = client.post_form(
        "/conversations?lang=en",
        {"employee": "Medarbejder", "date": "2026-12-08", "language": "en"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/conversations/(\d+)/start", response.headers["location"])
    assert found
    return int(found.group(1))


def _save(client: Client, cid: int, **fields: list[str]) -> httpx.Response:
    return client.post(
        f"/conversations/{cid}/prepare?lang=en",
        data={"csrftoken": client.csrf, **fields},
        follow_redirects=False,
    )


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def leader(decks_client: Client) -> Client:
    return decks_client


def test_the_leader_prepares_and_the_conversation_shows_it(leader: Client) -> None:
    area = _area(leader, "Nærvær", "Presence")
    _area(leader, "Grøn omstilling", "Green transition")
    cid = _plan(leader)
    page = leader.get(f"/conversations/{cid}/prepare?lang=en")
    assert page.status_code == 200
    assert "<h1>Prepare the conversation</h1>" in page.text
    assert 'name="question" value="status:0"' in page.text
    assert f'name="area" value="{area}"' in page.text
    assert "Presence" in page.text and "Green transition" in page.text
    # Reached from the home page and from Start.
    assert f'href="/conversations/{cid}/prepare"' in leader.get("/?lang=en").text
    assert f'href="/conversations/{cid}/prepare"' in leader.get(f"/conversations/{cid}/start").text

    saved = _save(leader, cid, question=["status:0"], marked=["status:1"], area=[str(area)])
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/conversations/{cid}/prepare?saved=true"
    again = leader.get(f"/conversations/{cid}/prepare?saved=true&lang=en").text
    assert 'role="status">Saved' in again
    assert re.search(r'name="marked" value="status:1" checked', again)
    assert re.search(f'name="area" value="{area}" checked', again)
    assert not re.search(r'name="question" value="status:2" checked', again)

    start = _text(leader.get(f"/conversations/{cid}/start?lang=en").text)
    assert "We will also talk about: Presence" in start
    assert "Green transition" not in start
    status = leader.get(f"/conversations/{cid}/status?lang=en").text
    chosen = re.search(r'<ul class="guide-questions guide-chosen">(.*?)</ul>', status, re.S)
    assert chosen
    items = re.findall(r"<li[^>]*>(.*?)</li>", chosen.group(1), re.S)
    assert len(items) == 2
    # The marked one first, with a star and the word: never colour alone.
    assert "★" in items[0] and "(important)" in items[0]
    assert "★" not in items[1] and "important" not in items[1]
    # The chosen questions are the leader's guide: never in the record.
    asked = re.search(r'name="question" value="status:1"[^>]*> <span>(.*?)</span>', again)
    assert asked and html.unescape(asked.group(1)) in _text(items[0])
    for kind in ("md", "json"):
        record = leader.get(f"/conversations/{cid}/export.{kind}").text
        assert html.unescape(asked.group(1)) not in record
        assert "Presence" in record


def test_another_leader_finds_no_prepare_page(leader: Client) -> None:
    cid = _plan(leader)
    add_user(leader, "anden@example.org")
    leader.cookies.clear()
    leader.login("anden@example.org")
    assert leader.get(f"/conversations/{cid}/prepare").status_code == 404
    assert _save(leader, cid, question=["status:0"]).status_code == 404
    response = leader.post(
        f"/conversations/{cid}/suggestions-shareable",
        data={"csrftoken": leader.csrf, "shareable": "true"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": ["status:99"]}, "Choose among the questions offered."),
        ({"marked": ["nowhere:0"]}, "Choose among the questions offered."),
        ({"area": ["999999"]}, "Choose among the focus areas offered."),
    ],
)
def test_a_choice_that_was_not_offered_is_refused_on_the_page(
    leader: Client, fields: dict[str, list[str]], message: str
) -> None:
    cid = _plan(leader)
    response = _save(leader, cid, **fields)
    assert response.status_code == 422
    assert f'role="alert">{message}' in response.text
    assert "<h1>Prepare the conversation</h1>" in response.text


def test_suggestions_are_shared_only_once_ticked(leader: Client) -> None:
    area = _area(leader, "Nærvær", "Presence")
    cid = _plan(leader)
    feedback = leader.get(f"/conversations/{cid}/feedback?lang=en").text
    box = re.search(r'<input type="checkbox" name="shareable"[^>]*>', feedback)
    assert box and "checked" not in box.group(0)
    assert "May be shared anonymously with management" in feedback
    record = leader.get(f"/conversations/{cid}/export.json").json()
    assert record["feedback"]["suggestions_shareable"] is False
    assert record["focus_areas"] == []

    _save(leader, cid, area=[str(area)])
    response = leader.post(
        f"/conversations/{cid}/suggestions-shareable?lang=en",
        data={"csrftoken": leader.csrf, "shareable": "true"},
        headers=PARTIAL,
    )
    assert response.status_code == 200
    assert "Saved" in response.text and "<html" not in response.text
    box = re.search(
        r'<input type="checkbox" name="shareable"[^>]*>',
        leader.get(f"/conversations/{cid}/feedback").text,
    )
    assert box and "checked" in box.group(0)
    record = leader.get(f"/conversations/{cid}/export.json").json()
    assert record["feedback"]["suggestions_shareable"] is True
    assert record["focus_areas"] == ["Presence"]
    markdown = leader.get(f"/conversations/{cid}/export.md").text
    assert "**Focus areas talked about:** Presence" in markdown
    assert "may be shared anonymously with management" in markdown
    pdf = PdfReader(io.BytesIO(leader.get(f"/conversations/{cid}/export.pdf").content))
    pdf_text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Focus areas talked about" in pdf_text and "Presence" in pdf_text
    assert "may be shared anonymously with management" in pdf_text
    word = Document(io.BytesIO(leader.get(f"/conversations/{cid}/export.docx").content))
    word_text = "\n".join(
        [p.text for p in word.paragraphs]
        + [c.text for t in word.tables for r in t.rows for c in r.cells]
    )
    assert "Focus areas talked about" in word_text and "Presence" in word_text
    assert "may be shared anonymously with management" in word_text

    # Unticked (the browser sends nothing): no longer shared.
    leader.post(
        f"/conversations/{cid}/suggestions-shareable",
        data={"csrftoken": leader.csrf},
        headers=PARTIAL,
    )
    record = leader.get(f"/conversations/{cid}/export.json").json()
    assert record["feedback"]["suggestions_shareable"] is False
