"""Nothing final by accident, at the tablet (issue 13): Finish asks once and a double tap does no
harm, a finished conversation can be reopened for a while, a removal can be undone."""

from __future__ import annotations

import re

from tests.support import PARTIAL, Client, FakeClock
from tests.support.record_pages import EMAIL, audit, setup


def htmx(client: Client) -> dict[str, str]:
    return {**PARTIAL, "x-csrftoken": client.csrf}


def test_a_double_tap_on_finish_goes_to_the_finished_summary_twice(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    url = f"/conversations/{c.id}"
    answers = [decks_client.post(f"{url}/finish", headers=htmx(decks_client)) for _ in range(2)]
    assert [a.status_code for a in answers] == [204, 204]
    assert {a.headers["HX-Redirect"] for a in answers} == {f"{url}/slut"}
    assert decks_client.get(f"{url}/export.json").json()["conversation"]["status"] == "completed"


def test_finish_asks_once_and_says_what_finishing_means(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    page = decks_client.get(f"/conversations/{c.id}/slut?lang=en").text
    form = page[page.index('class="finish"') :].split(">", 1)[0]
    assert (
        'hx-confirm="Finish the conversation? The record is then locked. '
        'For 14 days you can still reopen it to correct a mistake."'
    ) in form


def test_a_finished_conversation_offers_reopen_and_reopening_makes_it_editable(
    decks_client: Client,
) -> None:
    c = setup(decks_client)
    url = f"/conversations/{c.id}"
    page = decks_client.get(f"{url}/slut?lang=en").text
    assert "Reopen conversation" in page and "until 15 December 2026" in page
    assert "Finish conversation" not in page
    reopened = decks_client.post(f"{url}/reopen", headers=htmx(decks_client))
    assert reopened.status_code == 204
    assert reopened.headers["HX-Redirect"] == f"{url}/slut"
    page = decks_client.get(f"{url}/slut?lang=en").text
    assert "Reopen conversation" not in page
    assert "The conversation is reopened for corrections" in page
    assert "Finish the corrections?" in page
    assert [e.action for e in audit(decks_client) if e.action != "view"] == ["reopen"]
    assert decks_client.get(f"{url}/export.json").json()["conversation"]["status"] == "running"
    # Without htmx too: a form and a redirect.
    decks_client.post(f"{url}/finish", headers=htmx(decks_client))
    plain = decks_client.post_form(f"{url}/reopen", {}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"{url}/slut"


def test_after_the_period_there_is_no_reopen_and_a_late_one_is_refused(
    decks_client: Client, clock: FakeClock
) -> None:
    c = setup(decks_client)
    url = f"/conversations/{c.id}"
    clock.advance(days=15)
    decks_client.login(EMAIL)  # the session ran out meanwhile
    page = decks_client.get(f"{url}/slut?lang=en").text
    assert "Reopen conversation" not in page
    assert "The record can no longer be changed" in page
    refused = decks_client.post(f"{url}/reopen?lang=en", headers=htmx(decks_client))
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#messages"
    assert "too late to reopen" in refused.text
    assert decks_client.get(f"{url}/export.json").json()["conversation"]["status"] == "completed"


def placed_card(client: Client) -> tuple[str, str, str]:
    """A new conversation with one card placed in Glad: its URL, the card and its pick."""
    c = setup(client, finish=False)
    url = f"/conversations/{c.id}"
    page = client.get(f"{url}/arbejdsglaede").text
    assert '<div id="undo" class="undo" role="status" aria-live="polite"></div>' in page
    free = re.findall(r'data-card-id="(\d+)" draggable="true"', page)[0]
    for pick in re.findall(r"/picks/(\d+)/remove", page):  # make room in the rows
        client.post(f"{url}/picks/{pick}/remove", headers=htmx(client))
    placed = client.post(f"{url}/board/glad", data={"card_id": free}, headers=htmx(client))
    assert placed.status_code == 200
    (pick,) = re.findall(r"/picks/(\d+)/remove", placed.text)
    return url, free, pick


def undo_prompt(answer: str) -> str:
    match = re.search(r'<div id="undo".*?</div>\s*</div>', answer, re.S)
    assert match, answer[-800:]
    return match.group(0)


def test_taking_a_card_off_the_board_answers_with_an_undo_that_puts_it_back(
    decks_client: Client, clock: FakeClock
) -> None:
    url, card, pick = placed_card(decks_client)
    removed = decks_client.post(f"{url}/picks/{pick}/remove?lang=en", headers=htmx(decks_client))
    assert removed.status_code == 200
    # The board's own answer, as before, and the Undo prompt out of band.
    assert removed.text.lstrip().startswith('<div class="board" id="board"')
    assert f"/picks/{pick}/remove" not in removed.text
    prompt = undo_prompt(removed.text)
    assert 'class="undo"' in prompt and 'hx-swap-oob="innerHTML"' in prompt
    assert "Taken off the board: " in prompt
    assert f'hx-post="{url}/picks/{pick}/restore"' in prompt
    assert 'hx-target="#board" hx-swap="outerHTML"' in prompt
    assert ">Undo</button>" in prompt
    clock.advance(seconds=8)
    restored = decks_client.post(f"{url}/picks/{pick}/restore", headers=htmx(decks_client))
    assert restored.status_code == 200
    assert restored.text.lstrip().startswith('<div class="board" id="board"')
    assert f"/picks/{pick}/remove" in restored.text
    assert f'id="tray-{card}" hx-swap-oob="true"' in restored.text
    # The prompt is emptied: the Undo has been used.
    assert re.search(r'<div id="undo"[^>]*>\s*</div>', restored.text)
    record = decks_client.get(f"{url}/export.json").json()
    assert len(record["board"]["glad"]) == 1


def test_undo_after_the_window_is_refused_with_a_message(
    decks_client: Client, clock: FakeClock
) -> None:
    url, _card, pick = placed_card(decks_client)
    decks_client.post(f"{url}/picks/{pick}/remove", headers=htmx(decks_client))
    clock.advance(seconds=31)
    late = decks_client.post(f"{url}/picks/{pick}/restore?lang=en", headers=htmx(decks_client))
    assert late.status_code == 422
    assert late.headers["HX-Retarget"] == "#messages"
    assert "Too late to undo" in late.text
    assert f"/picks/{pick}/remove" not in decks_client.get(f"{url}/arbejdsglaede").text


def test_without_htmx_a_removal_and_its_undo_answer_with_the_board_page(
    decks_client: Client,
) -> None:
    url, _card, pick = placed_card(decks_client)
    plain = {"x-csrftoken": decks_client.csrf}
    for action in ("remove", "restore"):
        answer = decks_client.post(
            f"{url}/picks/{pick}/{action}", headers=plain, follow_redirects=False
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == f"{url}/arbejdsglaede"
    assert f"/picks/{pick}/remove" in decks_client.get(f"{url}/arbejdsglaede").text


def test_deleting_an_agreement_answers_with_an_undo_that_brings_it_back(
    decks_client: Client, clock: FakeClock
) -> None:
    c = setup(decks_client, finish=False)
    url = f"/conversations/{c.id}"
    page = decks_client.get(f"{url}/aftaler?lang=en").text
    assert '<div id="undo" class="undo" role="status" aria-live="polite"></div>' in page
    ids = re.findall(r"/agreements/(\d+)/delete", page)
    texts = re.findall(r'<p class="agreement-text">([^<]*)</p>', page)
    deleted = decks_client.post(
        f"{url}/agreements/{ids[0]}/delete?lang=en", headers=htmx(decks_client)
    )
    assert deleted.status_code == 200
    assert deleted.text.lstrip().startswith('<div id="agreements-area"')
    assert f"/agreements/{ids[0]}/delete" not in deleted.text
    prompt = undo_prompt(deleted.text)
    assert "Agreement deleted: " in prompt
    assert f'hx-post="{url}/agreements/{ids[0]}/restore"' in prompt
    assert 'hx-target="#agreements-area" hx-swap="outerHTML"' in prompt
    assert len(decks_client.get(f"{url}/export.json").json()["agreements"]) == len(ids) - 1
    clock.advance(seconds=10)
    restored = decks_client.post(f"{url}/agreements/{ids[0]}/restore", headers=htmx(decks_client))
    assert restored.status_code == 200
    assert restored.text.lstrip().startswith('<div id="agreements-area"')
    assert re.findall(r'<p class="agreement-text">([^<]*)</p>', restored.text) == texts
    assert re.search(r'<div id="undo"[^>]*>\s*</div>', restored.text)


def test_undo_of_a_delete_after_the_window_is_refused_with_a_message(
    decks_client: Client, clock: FakeClock
) -> None:
    c = setup(decks_client, finish=False)
    url = f"/conversations/{c.id}"
    agreement = re.findall(r"/agreements/(\d+)/delete", decks_client.get(f"{url}/aftaler").text)[0]
    decks_client.post(f"{url}/agreements/{agreement}/delete", headers=htmx(decks_client))
    clock.advance(seconds=31)
    late = decks_client.post(
        f"{url}/agreements/{agreement}/restore?lang=en", headers=htmx(decks_client)
    )
    assert late.status_code == 422
    assert late.headers["HX-Retarget"] == "#messages"
    assert "Too late to undo" in late.text
