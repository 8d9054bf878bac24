"""Planning (issue 15) over HTTP: a time and a place on the form and the home page; Move,
Cancel conversation and Delete; the invitation as .ics (parsed with icalendar) and by e-mail
through a real SMTP server; the record's time of day."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.config import Settings
from app.db import write_session
from app.models import AuditEvent, Conversation, Employee
from tests.browser import free_port
from tests.support import (
    PARTIAL,
    Client,
    FakeClock,
    add_user,
    engine_of,
    make_client,
    make_settings,
)
from tests.support.smtp import Inbox, running_inbox

SENDER = "arbejdsglaede@example.org"
TO = "medarbejder@example.org"
BASE_URL = "https://mus.example.dk"


def plan(client: Client, **fields: str) -> int:
    """Log in as a leader (once) and plan a conversation; its id."""
    if not client.cookies:
        add_user(client, "leder@example.org", name="Lene Leder")
        client.login("leder@example.org")
    values = {
        "employee": "Medarbejder",
        "date": "2026-12-08",
        "time": "13:30",
        "duration": "60",
        "place": "Mødelokale 2",
        "language": "en",
    }
    values.update(fields)
    response = client.post_form("/conversations", values, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/conversations/(\d+)/start", response.headers["location"])
    assert found
    return int(found.group(1))


def ics(client: Client, cid: int) -> Any:
    response = client.get(f"/conversations/{cid}/invitation.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    return Calendar.from_ical(response.content)


def event_of(calendar: Any) -> Any:
    (event,) = calendar.walk("VEVENT")
    return event


def audit_actions(client: Client) -> list[str]:
    with write_session(engine_of(client)) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


@pytest.fixture
def leader(decks_client: Client) -> Client:
    return decks_client


def test_the_planning_form_has_time_duration_and_place(leader: Client) -> None:
    add_user(leader, "leder@example.org")
    leader.login("leder@example.org")
    page = leader.get("/conversations/new?lang=en").text
    assert '<label for="time">Time</label>' in page
    assert '<label for="duration">Duration</label>' in page
    assert '<label for="place">Place</label>' in page
    assert 'name="duration" type="number"' in page and 'value="70"' in page
    assert "the six steps take 70." in page


def test_planning_with_only_the_employee_uses_the_defaults(leader: Client) -> None:
    cid = plan(leader, date="", time="", duration="", place="")
    with write_session(engine_of(leader)) as session:
        conversation = session.get(Conversation, cid)
        assert conversation is not None
        assert conversation.starts_at is None
        assert conversation.duration_minutes == 70  # the six steps' allotments
        assert conversation.place == ""
        assert conversation.date == date(2026, 12, 1)  # the fake clock's today


def test_the_home_page_shows_the_time_and_the_place(leader: Client) -> None:
    cid = plan(leader)
    page = leader.get("/?lang=en").text
    assert "8 December 2026 at 13:30" in page
    assert "Mødelokale 2" in page
    assert f"/conversations/{cid}/move?back=home" in page
    danish = leader.get("/?lang=da").text
    assert "8. december 2026 kl. 13.30" in danish


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time", "25:99", "Enter a time as hours and minutes"),
        ("time", "half past one", "Enter a time as hours and minutes"),
        ("duration", "abc", "Enter the duration as a number of minutes"),
        ("duration", "0", "Choose a duration between 5 and 480 minutes"),
        ("duration", "9999", "Choose a duration between 5 and 480 minutes"),
        ("place", "x" * 201, "The place is too long"),
    ],
)
def test_planning_refuses_bad_input_beside_the_form(
    leader: Client, field: str, value: str, message: str
) -> None:
    add_user(leader, "leder@example.org")
    leader.login("leder@example.org")
    values = {"employee": "Medarbejder", "date": "2026-12-08", field: value}
    response = leader.post_form("/conversations?lang=en", values)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Medarbejder"' in response.text  # what was typed is kept


def test_the_start_step_offers_move_cancel_delete_and_the_invitation(leader: Client) -> None:
    cid = plan(leader)
    page = leader.get(f"/conversations/{cid}/start?lang=en").text
    assert "The meeting" in page and "at 13:30" in page and "Mødelokale 2" in page
    assert f'href="/conversations/{cid}/move"' in page
    assert f'href="/conversations/{cid}/cancel"' in page
    assert f'action="/conversations/{cid}/delete"' in page and "hx-confirm=" in page
    assert f'href="/conversations/{cid}/invitation.ics"' in page
    # No SMTP here: the panel says the invitation is downloaded instead of sent.
    assert "E-mail is not set up on this server: download the invitation" in page
    assert "Send invitation" not in page


def test_move_changes_the_time_and_the_home_page_shows_it(leader: Client) -> None:
    cid = plan(leader)
    form = leader.get(f"/conversations/{cid}/move?lang=en").text
    assert 'value="2026-12-08"' in form and 'value="13:30"' in form and 'value="60"' in form
    response = leader.post_form(
        f"/conversations/{cid}/move",
        {
            "date": "2026-12-10",
            "time": "09:15",
            "duration": "90",
            "place": "Kantinen",
            "back": "home",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = leader.get("/?lang=en").text
    assert "10 December 2026 at 09:15" in page and "Kantinen" in page
    assert "13:30" not in page


def test_move_into_the_past_is_refused_with_a_message(leader: Client) -> None:
    cid = plan(leader)
    response = leader.post_form(
        f"/conversations/{cid}/move?lang=en",
        {"date": "2026-11-30", "time": "09:00", "duration": "90", "place": ""},
    )
    assert response.status_code == 422
    assert "The day has passed: choose today or a later day." in response.text
    assert 'value="2026-11-30"' in response.text  # kept, beside the message
    danish = leader.post_form(
        f"/conversations/{cid}/move?lang=da", {"date": "2026-11-30", "time": "", "duration": ""}
    )
    assert "Datoen er overstået" in danish.text
    with write_session(engine_of(leader)) as session:
        conversation = session.get(Conversation, cid)
        assert conversation is not None and conversation.date == date(2026, 12, 8)


@pytest.mark.parametrize("day", ["", "2026-13-01", "2101-01-01"])
def test_move_refuses_a_missing_or_impossible_day(leader: Client, day: str) -> None:
    cid = plan(leader)
    response = leader.post_form(f"/conversations/{cid}/move?lang=en", {"date": day})
    assert response.status_code == 422
    assert 'role="alert"' in response.text


def test_a_started_conversation_cannot_be_moved_cancelled_or_deleted(leader: Client) -> None:
    cid = plan(leader)
    leader.post_form(f"/conversations/{cid}/begin", {})
    for path, data in (
        ("move", {"date": "2026-12-10"}),
        ("cancel", {"reason": "Syg"}),
        ("delete", {}),
    ):
        response = leader.post_form(f"/conversations/{cid}/{path}?lang=en", data)
        assert response.status_code == 409, path
        assert "The conversation has started" in response.text
    assert leader.get(f"/conversations/{cid}/move").status_code == 409
    start = leader.get(f"/conversations/{cid}/start?lang=en").text
    assert "The meeting" not in start


def test_cancel_asks_for_the_reason_and_keeps_the_conversation(leader: Client) -> None:
    cid = plan(leader)
    form = leader.get(f"/conversations/{cid}/cancel?lang=en").text
    assert '<label for="reason">Reason</label>' in form
    refused = leader.post_form(f"/conversations/{cid}/cancel?lang=en", {"reason": "  "})
    assert refused.status_code == 422
    assert "Write why the conversation is cancelled." in refused.text
    done = leader.post_form(
        f"/conversations/{cid}/cancel", {"reason": "Sygemelding"}, follow_redirects=False
    )
    assert done.status_code == 303
    start = leader.get(f"/conversations/{cid}/start?lang=en").text
    assert "Cancelled on 1 December 2026. Reason: Sygemelding" in start
    assert "Start conversation" not in start
    home = leader.get("/?lang=en").text
    assert 'class="state state-cancelled">Cancelled<' in home
    assert "(cancelled)" in home  # in the employee's history
    assert "cancel" in audit_actions(leader)


def test_a_cancelled_conversation_cannot_start_or_be_exported(leader: Client) -> None:
    cid = plan(leader)
    leader.post_form(f"/conversations/{cid}/cancel", {"reason": "Syg"})
    begin = leader.post_form(f"/conversations/{cid}/begin?lang=en", {})
    assert begin.status_code == 409
    assert "cancelled" in begin.text
    for fmt in ("export.json", "export.pdf", "export.md", "followup.ics"):
        response = leader.get(f"/conversations/{cid}/{fmt}?lang=en")
        assert response.status_code == 409, fmt
        assert "no record to export" in response.text
    # Opening a step leaves it planned-and-cancelled: no clock starts, nothing changes.
    assert leader.get(f"/conversations/{cid}/status").status_code == 200
    with write_session(engine_of(leader)) as session:
        conversation = session.get(Conversation, cid)
        assert conversation is not None
        assert conversation.status == "cancelled" and conversation.step_since is None


def test_delete_removes_the_conversation_and_is_audit_logged(leader: Client) -> None:
    cid = plan(leader)
    response = leader.post_form(f"/conversations/{cid}/delete", {}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert leader.get(f"/conversations/{cid}/start").status_code == 404
    assert "Mødelokale 2" not in leader.get("/").text
    assert "delete" in audit_actions(leader)
    partial = plan(leader)
    answer = leader.post(
        f"/conversations/{partial}/delete", headers={**PARTIAL, "x-csrftoken": leader.csrf}
    )
    assert answer.headers.get("hx-location") or answer.headers.get("hx-redirect")


def test_another_leader_cannot_move_cancel_delete_or_invite(leader: Client) -> None:
    cid = plan(leader)
    leader.cookies.clear()
    add_user(leader, "anden@example.org")
    leader.login("anden@example.org")
    assert leader.get(f"/conversations/{cid}/move").status_code == 404
    assert leader.post_form(f"/conversations/{cid}/move", {"date": "2026-12-10"}).status_code == 404
    assert leader.post_form(f"/conversations/{cid}/cancel", {"reason": "x"}).status_code == 404
    assert leader.post_form(f"/conversations/{cid}/delete", {}).status_code == 404
    assert leader.get(f"/conversations/{cid}/invitation.ics").status_code == 404


# ---------------------------------------------------------------- the .ics invitation


def test_the_invitation_is_one_timed_event_in_copenhagen(leader: Client) -> None:
    cid = plan(leader)
    calendar = ics(leader, cid)
    assert str(calendar["method"]) == "PUBLISH"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]
    event = event_of(calendar)
    start = event.decoded("dtstart")
    assert isinstance(start, datetime)
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Copenhagen"
    assert (start.date(), start.hour, start.minute) == (date(2026, 12, 8), 13, 30)
    assert event.decoded("dtend") - start == timedelta(minutes=60)
    assert str(event["summary"]) == "MUS: Medarbejder"
    assert str(event["location"]) == "Mødelokale 2"
    assert str(event["uid"]) == f"conversation-{cid}-invitation@127.0.0.1"
    assert int(event["sequence"]) == 0
    assert "relaxed talk between you and your leader" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence(leader: Client) -> None:
    cid = plan(leader)
    before = event_of(ics(leader, cid))
    leader.post_form(
        f"/conversations/{cid}/move",
        {"date": "2026-12-09", "time": "10:00", "duration": "90", "place": "Kantinen"},
    )
    after = event_of(ics(leader, cid))
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])
    start = after.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (date(2026, 12, 9), 10, 0)
    assert str(after["location"]) == "Kantinen"


def test_a_cancelled_meetings_invitation_cancels_the_event(leader: Client) -> None:
    cid = plan(leader)
    before = event_of(ics(leader, cid))
    leader.post_form(f"/conversations/{cid}/cancel", {"reason": "Sygemelding"})
    calendar = ics(leader, cid)
    assert str(calendar["method"]) == "CANCEL"
    event = event_of(calendar)
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == str(before["uid"])
    assert int(event["sequence"]) > int(before["sequence"])
    assert "Sygemelding" not in calendar.to_ical().decode()  # the reason stays in the app


def test_without_a_time_the_invitation_is_an_all_day_event(leader: Client) -> None:
    cid = plan(leader, time="", language="da")
    event = event_of(ics(leader, cid))
    assert event.decoded("dtstart") == date(2026, 12, 8)
    assert event.decoded("dtend") == date(2026, 12, 9)
    assert "MUS, medarbejderudviklingssamtalen" in str(event["description"])


def test_the_invitation_uid_carries_the_host_of_the_base_url(
    settings_with_decks: Settings, clock: FakeClock
) -> None:
    settings = make_settings(
        settings_with_decks.data_dir,
        database_url=settings_with_decks.database_url,
        base_url=BASE_URL,
        allowed_hosts=["testserver"],
    )
    with make_client(settings, clock) as client:
        cid = plan(client)
        event = event_of(ics(client, cid))
    assert str(event["uid"]) == f"conversation-{cid}-invitation@mus.example.dk"


def test_a_started_conversation_has_no_invitation(leader: Client) -> None:
    cid = plan(leader)
    leader.post_form(f"/conversations/{cid}/begin", {})
    assert leader.get(f"/conversations/{cid}/invitation.ics").status_code == 409


# ---------------------------------------------------------------- the record's time of day


def test_the_record_has_the_start_in_copenhagen_with_its_offset(leader: Client) -> None:
    cid = plan(leader)
    record = leader.get(f"/conversations/{cid}/export.json").json()
    assert record["conversation"]["starts_at"] == "2026-12-08T13:30:00+01:00"
    markdown = leader.get(f"/conversations/{cid}/export.md").text
    assert "8 December 2026 at 13:30" in markdown
    summer = plan(leader, date="2027-06-08", time="09:00")
    assert (
        leader.get(f"/conversations/{summer}/export.json").json()["conversation"]["starts_at"]
        == "2027-06-08T09:00:00+02:00"
    )
    untimed = plan(leader, time="")
    assert (
        leader.get(f"/conversations/{untimed}/export.json").json()["conversation"]["starts_at"]
        is None
    )


# ---------------------------------------------------------------- the invitation by e-mail


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with running_inbox() as running:
        yield running


def mail_client(base: Settings, clock: FakeClock, port: int) -> Client:
    settings = make_settings(
        base.data_dir,
        database_url=base.database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from=SENDER,
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    return make_client(settings, clock)


def send(client: Client, cid: int, to: str, lang: str = "en") -> Any:
    return client.post(
        f"/conversations/{cid}/invitation/send?lang={lang}",
        data={"email": to},
        headers={**PARTIAL, "x-csrftoken": client.csrf},
    )


def test_send_invitation_mails_the_ics_as_an_attachment(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid = plan(client)
        page = client.get(f"/conversations/{cid}/start?lang=en").text
        assert "Send invitation" in page and '<label for="invitation-email">' in page
        response = send(client, cid, TO)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="invitation"')
        assert f"The invitation was sent to {TO}." in response.text
        actions = audit_actions(client)
        with write_session(engine_of(client)) as session:
            employee = session.exec(select(Employee)).one()
            assert employee.email == TO  # typed once, kept for the next time
    assert len(handler.envelopes) == 1 and handler.envelopes[0].rcpt_tos == [TO]
    message = handler.messages()[0]
    # A long subject is folded onto its own line (RFC 5322), which the parser keeps.
    assert message["Subject"].strip() == (
        "Invitation: employee development conversation (MUS) on 8 December 2026"
    )
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Lene Leder on 8 December 2026 at 13:30. Place: Mødelokale 2." in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() and attachment.get_filename().endswith(".ics")
    event = event_of(Calendar.from_ical(attachment.get_content()))
    assert str(event["uid"]) == f"conversation-{cid}-invitation@127.0.0.1"
    assert "mailto:" + TO in str(event["attendee"])
    assert actions.count("invitation_sent") == 1


def test_send_invitation_in_danish_and_the_cancellation(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid = plan(client, language="da")
        assert send(client, cid, TO).status_code == 200
        client.post_form(f"/conversations/{cid}/cancel", {"reason": "Syg"})
        page = client.get(f"/conversations/{cid}/start?lang=en").text
        assert "Send cancellation" in page
        assert send(client, cid, "").status_code == 200  # the address kept from the first
    first, second = handler.messages()
    assert first["Subject"].strip().startswith("Invitation: medarbejderudviklingssamtale (MUS)")
    assert second["Subject"].strip().startswith("Aflyst: medarbejderudviklingssamtale (MUS)")
    (attachment,) = list(second.iter_attachments())
    calendar = Calendar.from_ical(attachment.get_content())
    assert str(calendar["method"]) == "CANCEL"
    assert str(event_of(calendar)["status"]) == "CANCELLED"


@pytest.mark.parametrize("typed", ["", "not an address", "a@b", "x@example.org, y@example.org"])
def test_send_invitation_asks_for_a_valid_address(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int], typed: str
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid = plan(client)
        response = send(client, cid, typed)
        assert response.status_code == 422
        assert "Enter a valid e-mail address." in response.text
        assert response.text.lstrip().startswith('<div id="invitation"')
        assert "invitation_sent" not in audit_actions(client)
    assert handler.envelopes == []


def test_send_invitation_without_smtp_says_download_instead(leader: Client) -> None:
    cid = plan(leader)
    response = send(leader, cid, TO)
    assert response.status_code == 422
    assert "Download the invitation instead." in response.text


def test_send_invitation_when_the_mail_server_is_down(
    settings_with_decks: Settings, clock: FakeClock
) -> None:
    with mail_client(settings_with_decks, clock, free_port()) as client:
        cid = plan(client)
        response = send(client, cid, TO)
        assert response.status_code == 502
        assert "The invitation could not be sent" in response.text
        assert "invitation_sent" not in audit_actions(client)


def test_send_invitation_without_htmx_returns_to_the_start_step(
    settings_with_decks: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings_with_decks, clock, port) as client:
        cid = plan(client)
        response = client.post_form(
            f"/conversations/{cid}/invitation/send", {"email": TO}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/conversations/{cid}/start"
    assert len(handler.envelopes) == 1


def test_the_start_step_in_danish(leader: Client) -> None:
    cid = plan(leader)
    page = leader.get(f"/conversations/{cid}/start?lang=da").text
    assert "Mødet" in page and "8. december 2026 kl. 13.30" in page
    for words in ("Flyt", "Aflys samtalen", "Slet", "Hent invitation (.ics)"):
        assert words in page
