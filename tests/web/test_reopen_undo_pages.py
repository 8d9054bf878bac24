"""Nothing final by accident, at the tablet (issue 13): Finish asks once and a double tap does no
harm, a finished conversation can be reopened for a while, a removal can be undone."""

from __future__ import annotations

from tests.support import PARTIAL, Client
from tests.support.record_pages import setup


def htmx(client: Client) -> dict[str, str]:
    return {**PARTIAL, "x-csrftoken": client.csrf}


def test_a_double_tap_on_finish_goes_to_the_finished_summary_twice(decks_client: Client) -> None:
    c = setup(decks_client, finish=False)
    url = f"/conversations/{c.id}"
    answers = [decks_client.post(f"{url}/finish", headers=htmx(decks_client)) for _ in range(2)]
    assert [a.status_code for a in answers] == [204, 204]
    assert {a.headers["HX-Redirect"] for a in answers} == {f"{url}/slut"}
    assert decks_client.get(f"{url}/export.json").json()["conversation"]["status"] == "completed"
