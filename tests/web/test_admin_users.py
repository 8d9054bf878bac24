"""/admin/users, the one-time links and "Forgot password?" as a browser uses them (DESIGN §7,
issue 14), with every refusal a page that says what happened."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlmodel import select

from app.config import Settings
from app.db import write_session
from app.models import AuditEvent, User
from tests.support import (
    PASSWORD,
    Client,
    FakeClock,
    add_user,
    engine_of,
    make_client,
    make_settings,
)
from tests.support.smtp import Inbox, running_inbox

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

ADMIN = "admin@example.org"
NEW = "ny@example.org"
NEW_PASSWORD = "a sentence the new leader remembers"
BASE = "http://arbejdsglaede.test"


@pytest.fixture
def admin_client(settings: Settings, clock: FakeClock) -> Iterator[Client]:
    settings = settings.model_copy(update={"base_url": BASE})
    with make_client(settings, clock) as client:
        add_user(client, ADMIN, role="admin", name="Anna Admin")
        client.login(ADMIN)
        yield client


def invite(client: Client, email: str = NEW, role: str = "leader", lang: str = "en") -> str:
    page = client.post_form(
        f"/admin/users?lang={lang}", {"email": email, "name": "Nina Ny", "role": role}
    )
    assert page.status_code == 200, page.text
    return link_in(page.text, "/invite/")


def link_in(page: str, under: str) -> str:
    found = re.search(rf'value="{re.escape(BASE)}({under}[^"]+)"', page)
    assert found, page
    return found.group(1)


def user_id(client: Client, email: str) -> int:
    with write_session(engine_of(client)) as session:
        return session.exec(select(User.id).where(User.email == email)).one() or 0


def audit_actions(client: Client) -> list[str]:
    with write_session(engine_of(client)) as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)))  # type: ignore[arg-type]


def test_users_page_lists_each_user_with_role_last_login_and_state(admin_client: Client) -> None:
    add_user(admin_client, "leder@example.org", name="Lars Leder")
    page = admin_client.get("/admin/users?lang=en").text
    assert "Lars Leder" in page and "leder@example.org" in page
    assert "Never" in page  # Lars has not logged in; the admin has
    assert "1 Dec 2026" in page
    assert page.count(">Deactivate<") == 2
    assert page.count('disabled aria-describedby="self-hint-') == 1  # the admin's own row
    assert "Invite user</button>" in page
    assert 'href="/admin/users"' in page and ">Users<" in page  # the menu link


def test_the_menu_link_is_only_for_admins(client: Client) -> None:
    add_user(client, "leder@example.org")
    client.login("leder@example.org")
    assert "/admin/users" not in client.get("/?lang=en").text
    assert client.get("/admin/users").status_code == 403


def test_invite_user_opens_a_form_with_labelled_fields(admin_client: Client) -> None:
    page = admin_client.get("/admin/users?invite=1&lang=en").text
    for field, label in (("email", "E-mail"), ("name", "Name"), ("role", "Role")):
        assert f'<label for="invite-{field}">{label}</label>' in page
    assert 'id="invite-form"' not in admin_client.get("/admin/users?lang=en").text


def test_an_invitee_sets_a_password_and_is_logged_in(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    path = invite(admin_client)
    page = admin_client.get("/admin/users?lang=en").text
    assert "Invited, not yet accepted" in page
    with make_client(settings, clock) as invitee:
        form = invitee.get(path + "?lang=en")
        assert form.status_code == 200
        assert '<label for="password">Password</label>' in form.text and "Nina Ny" in form.text
        done = invitee.post_form(path, {"password": NEW_PASSWORD}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/"
        home = invitee.get("/?lang=en")
        assert home.status_code == 200 and "Nina Ny" in home.text
    page = admin_client.get("/admin/users?lang=en").text
    assert "Invited, not yet accepted" not in page
    assert audit_actions(admin_client) == ["user_invited", "invite_accepted"]


def test_a_used_link_is_a_clear_page_in_both_languages(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    path = invite(admin_client)
    with make_client(settings, clock) as invitee:
        invitee.post_form(path, {"password": NEW_PASSWORD})
        invitee.cookies.clear()
        for lang, text in (
            ("en", "This link has expired or has already been used."),
            ("da", "Dette link er udløbet eller allerede brugt."),
        ):
            page = invitee.get(f"{path}?lang={lang}")
            assert page.status_code == 410 and text in page.text
        again = invitee.post_form(path + "?lang=en", {"password": "yet another good password"})
        assert again.status_code == 410 and "already been used" in again.text
    admin_client.cookies.clear()
    admin_client.login(NEW, NEW_PASSWORD)  # the first password stands


def test_an_expired_or_unknown_link_is_a_clear_page(admin_client: Client, clock: FakeClock) -> None:
    path = invite(admin_client)
    clock.advance(days=7)
    admin_client.login(ADMIN)  # the session idled out meanwhile
    for url in (path, "/invite/unknown-token", "/reset/unknown-token"):
        page = admin_client.get(url + "?lang=en")
        assert page.status_code == 410 and "has expired" in page.text, url


def test_a_weak_password_is_refused_on_the_page_without_echoing_it(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    path = invite(admin_client)
    with make_client(settings, clock) as invitee:
        page = invitee.post_form(path + "?lang=en", {"password": "kort123"})
        assert page.status_code == 422 and "at least" in page.text
        assert "kort123" not in page.text
        assert invitee.get(path).status_code == 200  # the link still works


def test_a_second_invitation_for_an_address_is_refused_clearly(admin_client: Client) -> None:
    invite(admin_client)
    page = admin_client.post_form(
        "/admin/users?lang=en", {"email": NEW.upper(), "name": "Nina", "role": "leader"}
    )
    assert page.status_code == 422
    assert f"{NEW} already has an account" in html.unescape(page.text)
    assert audit_actions(admin_client) == ["user_invited"]


def test_an_admin_cannot_deactivate_themself(admin_client: Client) -> None:
    me = user_id(admin_client, ADMIN)
    page = admin_client.post_form(f"/admin/users/{me}/deactivate?lang=en", {})
    assert page.status_code == 409 and "You cannot deactivate yourself" in page.text
    assert admin_client.get("/admin/users").status_code == 200


def test_the_last_admin_cannot_be_demoted_or_deactivated(admin_client: Client) -> None:
    me = user_id(admin_client, ADMIN)
    page = admin_client.post_form(f"/admin/users/{me}/role?lang=en", {"role": "leader"})
    assert page.status_code == 409 and "last active admin" in page.text
    add_user(admin_client, "other@example.org", role="admin")
    other = user_id(admin_client, "other@example.org")
    assert admin_client.post_form(f"/admin/users/{other}/deactivate", {}).status_code == 200
    page = admin_client.post_form(f"/admin/users/{me}/role?lang=en", {"role": "facilitator"})
    assert page.status_code == 409


def test_deactivate_and_reactivate(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    add_user(admin_client, "leder@example.org", name="Lars Leder")
    lars = user_id(admin_client, "leder@example.org")
    done = admin_client.post_form(f"/admin/users/{lars}/deactivate", {}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    page = admin_client.get("/admin/users?lang=en").text
    assert "Deactivated" in page and "Reactivate Lars Leder" in page
    with make_client(settings, clock) as lars_client:
        refused = lars_client.post_form(
            "/login", {"email": "leder@example.org", "password": PASSWORD}
        )
        assert refused.status_code == 400
        admin_client.post_form(f"/admin/users/{lars}/reactivate", {})
        lars_client.login("leder@example.org")
    assert audit_actions(admin_client) == ["user_deactivated", "user_reactivated"]


def test_a_role_change_is_saved(admin_client: Client) -> None:
    add_user(admin_client, "leder@example.org")
    lars = user_id(admin_client, "leder@example.org")
    admin_client.post_form(f"/admin/users/{lars}/role", {"role": "facilitator"})
    with write_session(engine_of(admin_client)) as session:
        assert session.get(User, lars).role == "facilitator"  # type: ignore[union-attr]
    bad = admin_client.post_form(f"/admin/users/{lars}/role?lang=en", {"role": "king"})
    assert bad.status_code == 422 and "Unknown role" in bad.text


def test_a_password_reset_link_sets_a_new_password(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    add_user(admin_client, "leder@example.org", name="Lars Leder")
    lars = user_id(admin_client, "leder@example.org")
    page = admin_client.post_form(f"/admin/users/{lars}/reset-link?lang=en", {})
    assert page.status_code == 200 and "Password reset link" in page.text
    path = link_in(page.text, "/reset/")
    with make_client(settings, clock) as lars_client:
        assert '<label for="password">Password</label>' in lars_client.get(path + "?lang=en").text
        done = lars_client.post_form(path, {"password": NEW_PASSWORD}, follow_redirects=False)
        assert done.status_code == 303
        assert lars_client.get("/", follow_redirects=False).status_code == 200
        lars_client.cookies.clear()
        old = lars_client.post_form("/login", {"email": "leder@example.org", "password": PASSWORD})
        assert old.status_code == 400
        lars_client.login("leder@example.org", NEW_PASSWORD)
        assert lars_client.get(path).status_code == 410
    assert audit_actions(admin_client)[-2:] == ["reset_link_made", "password_set_by_link"]


def test_the_audit_log_never_holds_a_token_or_password(
    admin_client: Client, settings: Settings, clock: FakeClock
) -> None:
    path = invite(admin_client)
    token = path.rsplit("/", 1)[1]
    with make_client(settings, clock) as invitee:
        invitee.post_form(path, {"password": NEW_PASSWORD})
    with write_session(engine_of(admin_client)) as session:
        rows = session.exec(select(AuditEvent)).all()
    dumped = repr([row.model_dump() for row in rows])
    assert token not in dumped and NEW_PASSWORD not in dumped
    assert {row.address for row in rows} == {"testclient"}
    audit_page = admin_client.get("/admin/audit?lang=en").text
    assert "Invited a user" in audit_page and "Accepted an invitation" in audit_page


def test_without_smtp_there_is_no_forgot_password(client: Client) -> None:
    assert "Forgot password?" not in client.get("/login?lang=en").text
    assert client.get("/forgot-password").status_code == 404
    assert client.post_form("/forgot-password", {"email": ADMIN}).status_code == 404


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with running_inbox() as running:
        yield running


def mail_client(base: Settings, clock: FakeClock, port: int) -> Client:
    settings = make_settings(
        base.data_dir,
        database_url=base.database_url,
        base_url=BASE,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="arbejdsglaede@example.org",
        smtp_starttls=False,
        smtp_timeout_seconds=5,
    )
    return make_client(settings, clock)


def test_forgot_password_answers_the_same_for_any_address_and_mails_a_reset_link(
    settings: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings, clock, port) as client:
        add_user(client, "leder@example.org", name="Lars Leder")
        login_page = client.get("/login?lang=en").text
        assert 'href="/forgot-password"' in login_page and "Forgot password?" in login_page
        answers = [
            client.post_form("/forgot-password?lang=en", {"email": email})
            for email in ("leder@example.org", "nobody@example.org")
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].text == answers[1].text
        assert "If the address belongs to an account" in answers[0].text
        assert len(handler.envelopes) == 1
        (message,) = handler.messages()
        assert message["To"] == "leder@example.org"
        body = message.get_content()
        found = re.search(rf"{re.escape(BASE)}(/reset/\S+)", body)
        assert found, body
        client.post_form(found.group(1), {"password": NEW_PASSWORD})
        client.cookies.clear()
        client.login("leder@example.org", NEW_PASSWORD)
        # The audit log tells who asked: nobody logged in.
        add_user(client, ADMIN, role="admin")
        client.cookies.clear()
        client.login(ADMIN)
        log = client.get("/admin/audit?lang=en").text
        assert "Someone on the login page" in log and "Asked for a password reset link" in log


def test_an_invitation_is_also_mailed_when_smtp_is_configured(
    settings: Settings, clock: FakeClock, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    with mail_client(settings, clock, port) as client:
        add_user(client, ADMIN, role="admin")
        client.login(ADMIN)
        page = client.post_form(
            "/admin/users?lang=en", {"email": NEW, "name": "Nina Ny", "role": "leader"}
        )
        assert f"The link was also sent by e-mail to {NEW}." in page.text
        path = link_in(page.text, "/invite/")
        (message,) = handler.messages()
        assert message["To"] == NEW and BASE + path in message.get_content()


def test_a_mail_server_that_is_down_still_shows_the_link(
    settings: Settings, clock: FakeClock
) -> None:
    with running_inbox() as (_, port):
        pass  # stopped: nothing listens on the port any more
    with mail_client(settings, clock, port) as client:
        add_user(client, ADMIN, role="admin")
        client.login(ADMIN)
        page = client.post_form(
            "/admin/users?lang=en", {"email": NEW, "name": "Nina Ny", "role": "leader"}
        )
        assert page.status_code == 200 and "could not be sent" in page.text
        link_in(page.text, "/invite/")


def test_an_id_beyond_64_bits_is_not_found(admin_client: Client) -> None:
    huge = "99999999999999999999999"
    for action in ("deactivate", "reactivate", "reset-link"):
        assert admin_client.post_form(f"/admin/users/{huge}/{action}", {}).status_code in (404, 422)
    refused = admin_client.post_form(
        "/admin/handover?lang=en", {"from_leader": "1", "to_leader": "1", "employee": huge}
    )
    assert refused.status_code in (404, 422)
