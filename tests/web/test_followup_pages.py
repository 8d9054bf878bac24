"""The follow-up and the check-in in the browser's terms: a finished MUS offers
`Start follow-up`, the review is saved in the agreement's history, and the records show it."""

from __future__ import annotations

import re

from tests.support import PARTIAL, Client, add_user


def start_conversation(client: Client, email: str = "leder@example.org") -> str:
    if client.get("/", follow_redirects=False).status_code != 200:
        add_user(client, email)
        client.login(email)
    response = client.post_form(
        "/conversations",
        {"employee": "Medarbejder", "date": "2026-12-01", "language": "en"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"].removesuffix("/start")


def card_ids(page: str) -> list[str]:
    return re.findall(r'/status/(\d+)"', page)


def finished_mus(
    client: Client, agreements: tuple[str, ...] = ("Kursus", "Mentor"), follow_up: str = ""
) -> str:
    url = start_conversation(client)
    headers = {**PARTIAL, "x-csrftoken": client.csrf}
    first = card_ids(client.get(f"{url}/status").text)[0]
    client.post(f"{url}/status/{first}", data={"picked": "true"}, headers=headers)
    for text in agreements:
        saved = client.post(
            f"{url}/agreements",
            data={"text": text, "owner": "employee", "due": "2027-03-01"},
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
    if follow_up:
        client.post(f"{url}/follow-up", data={"follow_up_date": follow_up}, headers=headers)
    assert client.post(f"{url}/finish", headers=headers).status_code == 204
    return url


def agreement_ids(client: Client, url: str) -> list[int]:
    return [a["id"] for a in client.get(f"{url}/export.json").json()["agreements"]]


def test_a_finished_conversation_offers_start_follow_up(decks_client: Client) -> None:
    url = finished_mus(decks_client)
    page = decks_client.get(f"{url}/slut?lang=en").text
    assert "Start follow-up" in page


def test_an_unfinished_conversation_is_not_followed_up(decks_client: Client) -> None:
    url = start_conversation(decks_client)
    assert "Start follow-up" not in decks_client.get(f"{url}/slut?lang=en").text
    refused = decks_client.post(
        f"{url}/start-follow-up?lang=en", headers={**PARTIAL, "x-csrftoken": decks_client.csrf}
    )
    assert refused.status_code == 409
    assert "Only a finished conversation can be followed up" in refused.text


def test_the_follow_up_reviews_each_agreement_into_its_history(decks_client: Client) -> None:
    url = finished_mus(decks_client)
    started = decks_client.post_form(f"{url}/start-follow-up", {}, follow_redirects=False)
    assert started.status_code == 303
    page_url = started.headers["location"]
    assert re.fullmatch(r"/followups/\d+", page_url)
    # A second tap opens the same follow-up.
    again = decks_client.post_form(f"{url}/start-follow-up", {}, follow_redirects=False)
    assert again.headers["location"] == page_url
    follow_id = page_url.rsplit("/", 1)[1]
    page = decks_client.get(f"{page_url}?lang=en").text
    for word in (
        "How is it going now?",
        "Done",
        "Partly",
        "Not done",
        "Comment",
        "Finish follow-up",
    ):
        assert word in page
    done, partly = agreement_ids(decks_client, url)
    # The status deck's cards are picked through the conversation's own route, one at most.
    cards = card_ids(page)
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    picked = decks_client.post(
        f"/conversations/{follow_id}/status/{cards[0]}", data={"picked": "true"}, headers=headers
    )
    assert picked.status_code == 200
    second = decks_client.post(
        f"/conversations/{follow_id}/status/{cards[1]}", data={"picked": "true"}, headers=headers
    )
    assert second.status_code == 422 and "at most 1" in second.text
    for agreement, status, comment in ((done, "done", "Kurset er taget"), (partly, "partly", "")):
        saved = decks_client.post_form(
            f"{page_url}/agreements/{agreement}/review",
            {"status": status, "comment": comment, "new_due": ""},
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
    finished = decks_client.post_form(f"{page_url}/finish", {}, follow_redirects=False)
    assert finished.status_code == 303
    record = decks_client.get(f"{url}/export.json").json()
    history = {a["id"]: a["history"] for a in record["agreements"]}
    assert [(h["status"], h["comment"]) for h in history[done]] == [("done", "Kurset er taget")]
    assert [(h["status"], h["comment"]) for h in history[partly]] == [("partly", "")]
    short = decks_client.get(f"/conversations/{follow_id}/export.json").json()
    assert short["conversation"]["kind"] == "followup"
    assert short["conversation"]["follows_up"]["id"] == int(url.rsplit("/", 1)[1])
    assert [r["review"]["status"] for r in short["reviews"]] == ["done", "partly"]
    assert len(short["status_cards"]) == 1


def test_a_bad_review_status_is_refused_with_a_message(decks_client: Client) -> None:
    url = finished_mus(decks_client, ("Kursus",))
    page_url = decks_client.post_form(f"{url}/start-follow-up", {}, follow_redirects=False).headers[
        "location"
    ]
    (agreement,) = agreement_ids(decks_client, url)
    refused = decks_client.post(
        f"{page_url}/agreements/{agreement}/review?lang=en",
        data={"status": "open", "comment": ""},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert refused.status_code == 422
    assert "Choose done, partly done or not done." in refused.text


def test_a_step_url_of_a_follow_up_leads_to_its_page(decks_client: Client) -> None:
    url = finished_mus(decks_client, ("Kursus",))
    page_url = decks_client.post_form(f"{url}/start-follow-up", {}, follow_redirects=False).headers[
        "location"
    ]
    follow_id = page_url.rsplit("/", 1)[1]
    moved = decks_client.get(f"/conversations/{follow_id}/status", follow_redirects=False)
    assert moved.headers["location"] == page_url


def test_another_leader_gets_404_for_the_follow_up(decks_client: Client) -> None:
    url = finished_mus(decks_client, ("Kursus",))
    page_url = decks_client.post_form(f"{url}/start-follow-up", {}, follow_redirects=False).headers[
        "location"
    ]
    decks_client.post_form("/logout", {})
    start_conversation(decks_client, "anden@example.org")
    assert decks_client.get(page_url).status_code == 404
    assert decks_client.post_form(f"{url}/start-follow-up", {}).status_code == 404


def test_the_home_page_offers_a_follow_up_when_it_is_due(decks_client: Client) -> None:
    later = finished_mus(decks_client, ("Kursus",))  # followed up in six months: not yet due
    assert f"{later}/start-follow-up" not in decks_client.get("/?lang=en").text
    url = finished_mus(decks_client, ("Mentor",), follow_up="2026-12-01")  # today
    page = decks_client.get("/?lang=en").text
    # One list of what is due, the follow-up in it with its own button.
    due = page[page.index('id="due"') : page.index("</section>", page.index('id="due"'))]
    assert f"{url}/start-follow-up" in due and "Start follow-up with Medarbejder" in due
    assert page.count(f"{url}/start-follow-up") == 1 and page.count('id="h-due"') == 1
    decks_client.post_form(f"{url}/start-follow-up", {})
    # Begun: no longer due, and listed as a follow-up.
    page = decks_client.get("/?lang=en").text
    assert f"{url}/start-follow-up" not in page and "Follow-up" in page


def test_a_check_in_is_started_from_the_employee_page(decks_client: Client) -> None:
    finished_mus(decks_client, ("Kursus",))
    employee = re.search(r'href="/employees/(\d+)"', decks_client.get("/employees").text)
    assert employee is not None
    page = decks_client.get(f"/employees/{employee[1]}?lang=en").text
    assert "Start check-in" in page
    started = decks_client.post_form(
        f"/employees/{employee[1]}/check-in", {"day": ""}, follow_redirects=False
    )
    assert started.status_code == 303
    checkin = decks_client.get(started.headers["location"] + "?lang=en").text
    assert "Kursus" in checkin and "Finish check-in" in checkin
    planned = decks_client.post(
        f"/employees/{employee[1]}/check-in?lang=en",
        data={"day": "2020-01-01"},
        headers={**PARTIAL, "x-csrftoken": decks_client.csrf},
    )
    assert planned.status_code == 422
    assert "today or on a later day" in planned.text


def test_the_next_conversation_shows_the_check_in_since_last_time(decks_client: Client) -> None:
    finished_mus(decks_client, ("Kursus",))
    employee = re.search(r'href="/employees/(\d+)"', decks_client.get("/employees").text)
    assert employee is not None
    checkin = decks_client.post_form(
        f"/employees/{employee[1]}/check-in", {}, follow_redirects=False
    ).headers["location"]
    checkin_id = checkin.rsplit("/", 1)[1]
    headers = {**PARTIAL, "x-csrftoken": decks_client.csrf}
    card = card_ids(decks_client.get(checkin).text)[0]
    decks_client.post(
        f"/conversations/{checkin_id}/status/{card}", data={"picked": "true"}, headers=headers
    )
    pick = re.search(r"/picks/(\d+)/note", decks_client.get(checkin).text)
    assert pick is not None
    decks_client.post(
        f"/conversations/{checkin_id}/picks/{pick[1]}/note",
        data={"note": "Travlt, men godt"},
        headers=headers,
    )
    assert decks_client.post_form(f"{checkin}/finish", {}).status_code == 200
    nxt = start_conversation(decks_client)
    page = decks_client.get(f"{nxt}/start?lang=en").text
    assert "Since last time" in page and "Travlt, men godt" in page and "Check-in" in page
