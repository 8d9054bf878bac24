"""Nothing final by accident, at the tablet (issue 13): Finish asks once and a double tap does no
harm, a finished conversation can be reopened for a while, a removal can be undone."""

from __future__ import annotations

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
    assert [e.action for e in audit(decks_client)] == ["reopen"]
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
