"""Every route against every role: a new route cannot forget its access check."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.main import create_app
from tests.support import DATABASE_FILE, Client, FakeClock, add_user, make_settings
from tests.support.sql_watch import Statements, watching

# About what the database does behind the pages: part of the PostgreSQL run too.
pytestmark = pytest.mark.postgresql

# Routes anyone may use without logging in (DESIGN §6: login, setup, health, static).
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/setup"),
    ("POST", "/setup"),
    ("GET", "/manifest.webmanifest"),
    ("GET", "/privacy"),  # DESIGN §6: the employee, who has no account, reads it too
    ("GET", "/readyz"),  # DESIGN §7: for load balancers, beside /healthz
    # No login: Prometheus has none. Only for the addresses in ARBEJDSGLAEDE_METRICS_ALLOWED,
    # 404 to everyone else (tests/web/test_operations.py).
    ("GET", "/metrics"),
}
# The roles allowed on each protected route; every route of the app must be listed.
ROLES = {"leader", "facilitator", "admin"}
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("GET", "/about"): ROLES,
    ("GET", "/decks"): ROLES,
    ("GET", "/decks/{slug}"): ROLES,
    ("GET", "/media/{sha256}.webp"): ROLES,
}


# The conversation at the tablet: leaders (and facilitators and admins, who may lead too).
CONVERSATION_ROUTES = {
    ("GET", "/"),
    ("GET", "/conversations/new"),
    ("POST", "/conversations"),
    ("GET", "/conversations/{conversation_id}"),
    ("GET", "/conversations/{conversation_id}/export.json"),
    ("GET", "/conversations/{conversation_id}/{step}"),
    ("POST", "/conversations/{conversation_id}/status/{card_id}"),
    ("POST", "/conversations/{conversation_id}/picks/{pick_id}/note"),
    ("POST", "/conversations/{conversation_id}/board/{row}"),
    ("POST", "/conversations/{conversation_id}/picks/{pick_id}/move"),
    ("POST", "/conversations/{conversation_id}/picks/{pick_id}/remove"),
    ("POST", "/conversations/{conversation_id}/picks/{pick_id}/restore"),
    ("POST", "/conversations/{conversation_id}/rows/{row}/note"),
    ("POST", "/conversations/{conversation_id}/feedback/{field}"),
    ("POST", "/conversations/{conversation_id}/agreements"),
    ("POST", "/conversations/{conversation_id}/agreements/{agreement_id}"),
    ("POST", "/conversations/{conversation_id}/agreements/{agreement_id}/delete"),
    ("POST", "/conversations/{conversation_id}/agreements/{agreement_id}/restore"),
    ("POST", "/conversations/{conversation_id}/no-agreements"),
    ("POST", "/conversations/{conversation_id}/previous/{agreement_id}"),
    ("POST", "/conversations/{conversation_id}/follow-up"),
    ("POST", "/conversations/{conversation_id}/begin"),
    ("POST", "/conversations/{conversation_id}/finish"),
    ("POST", "/conversations/{conversation_id}/reopen"),
}
ALLOWED.update(dict.fromkeys(CONVERSATION_ROUTES, ROLES))


# Records and exports (issue 8): the leader's own conversations; the employee's copy link is
# public by design (an unguessable, expiring, revocable token, every use audit-logged).
RECORD_ROUTES = {
    ("GET", "/conversations/{conversation_id}/export.pdf"),
    ("GET", "/conversations/{conversation_id}/agreements.pdf"),
    ("GET", "/conversations/{conversation_id}/export.md"),
    ("GET", "/conversations/{conversation_id}/export.docx"),
    ("GET", "/conversations/{conversation_id}/followup.ics"),
    ("GET", "/conversations/{conversation_id}/share"),
    ("POST", "/conversations/{conversation_id}/share"),
    ("POST", "/conversations/{conversation_id}/share/revoke"),
    ("POST", "/conversations/{conversation_id}/share/email"),
    ("GET", "/employees/{employee_id}/records.zip"),
}
ALLOWED.update(dict.fromkeys(RECORD_ROUTES, ROLES))
PUBLIC |= {("GET", "/r/{token}"), ("GET", "/r/{token}/record.pdf")}


# Planning (issue 15): moving, cancelling and deleting a planned conversation, and its
# invitation; the leader's own conversations (the services answer 404 to anyone else).
PLANNING_ROUTES = {
    ("GET", "/conversations/{conversation_id}/move"),
    ("POST", "/conversations/{conversation_id}/move"),
    ("GET", "/conversations/{conversation_id}/cancel"),
    ("POST", "/conversations/{conversation_id}/cancel"),
    ("POST", "/conversations/{conversation_id}/delete"),
    ("GET", "/conversations/{conversation_id}/invitation.ics"),
    ("POST", "/conversations/{conversation_id}/invitation/send"),
}
ALLOWED.update(dict.fromkeys(PLANNING_ROUTES, ROLES))

# The leader individualises the conversation, and the employee's choice to share their
# suggestions (issue 15); the leader's own conversations only (404 to anyone else).
MARKING_ROUTES = {
    ("GET", "/conversations/{conversation_id}/prepare"),
    ("POST", "/conversations/{conversation_id}/prepare"),
    ("POST", "/conversations/{conversation_id}/suggestions-shareable"),
}
ALLOWED.update(dict.fromkeys(MARKING_ROUTES, ROLES))


# The follow-up and the check-in (issue 16): the leader's own conversations and employees
# (the services answer 404 to anyone else, tests/web/test_followup_pages.py).
FOLLOWUP_ROUTES = {
    ("POST", "/conversations/{conversation_id}/start-follow-up"),
    ("POST", "/employees/{employee_id}/check-in"),
    ("GET", "/followups/{conversation_id}"),
    ("POST", "/followups/{conversation_id}/agreements/{agreement_id}/review"),
    ("POST", "/followups/{conversation_id}/agreements/{agreement_id}/grow"),
    ("POST", "/followups/{conversation_id}/finish"),
}
ALLOWED.update(dict.fromkeys(FOLLOWUP_ROUTES, ROLES))


# The employee's preparation (issue 15): the leader's link panel and the agenda's topics on the
# leader's own conversations; the preparation page itself is public by design (an unguessable,
# expiring, revocable token, every visit audit-logged; tests/web/test_preparation_pages.py).
PREPARATION_ROUTES = {
    ("GET", "/conversations/{conversation_id}/preparation"),
    ("POST", "/conversations/{conversation_id}/preparation"),
    ("POST", "/conversations/{conversation_id}/preparation/new"),
    ("POST", "/conversations/{conversation_id}/preparation/revoke"),
    ("POST", "/conversations/{conversation_id}/topics"),
    ("POST", "/conversations/{conversation_id}/topics/{topic_id}/discussed"),
}
ALLOWED.update(dict.fromkeys(PREPARATION_ROUTES, ROLES))
PUBLIC |= {
    ("GET", "/p/{token}"),
    ("POST", "/p/{token}/topics"),
    ("POST", "/p/{token}/topics/{topic_id}/delete"),
    ("POST", "/p/{token}/notes"),
    ("POST", "/p/{token}/notes/{note_id}/bring"),
    ("POST", "/p/{token}/notes/{note_id}/delete"),
}


# The user's own page (issue 14): name, e-mail, role, password, log out everywhere.
ACCOUNT_ROUTES = {
    ("GET", "/account"),
    ("POST", "/account/password"),
    ("POST", "/account/logout-everywhere"),
}
ALLOWED.update(dict.fromkeys(ACCOUNT_ROUTES, ROLES))
# Two-step login (issue 14): admins only; the code page of the login is public (it needs the
# signed pending token that only a right password gives).
TWO_STEP_ROUTES = {
    ("GET", "/account/two-step"),
    ("POST", "/account/two-step/start"),
    ("POST", "/account/two-step/confirm"),
    ("POST", "/account/two-step/off"),
    ("POST", "/admin/users/{user_id}/two-step/reset"),
}
ALLOWED.update({route: {"admin"} for route in TWO_STEP_ROUTES})
PUBLIC.add(("POST", "/login/code"))


# The organisation overview (issue 16): facilitators and admins see the organisation, a leader
# their own team (the page says when it is too small to show anything).
ALLOWED.update(
    dict.fromkeys(
        {("GET", "/overview"), ("GET", "/overview/export.csv"), ("GET", "/overview/report.pdf")},
        ROLES,
    )
)


# The audit log is the history of who saw whose personal data (DESIGN §6): admins only.
ALLOWED[("GET", "/admin/audit")] = {"admin"}
ALLOWED[("GET", "/admin/audit.csv")] = {"admin"}
# One employee's personal data (access and erasure): admins, and the employee's own leader
# (the service answers 404 to anyone else); the list of every employee: admins.
ALLOWED[("GET", "/admin/personal-data")] = {"admin"}
ALLOWED.update(
    dict.fromkeys(
        {
            ("GET", "/employees/{employee_id}/personal-data"),
            ("GET", "/employees/{employee_id}/everything.zip"),
            ("POST", "/employees/{employee_id}/erase"),
        },
        ROLES,
    )
)


# Accounts in the browser and leader handover (issue 14): admins only; the one-time links
# and "Forgot password?" are public by design (an unguessable, expiring, one-time token).
ADMIN_ROUTES = {
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{user_id}/role"),
    ("POST", "/admin/users/{user_id}/deactivate"),
    ("POST", "/admin/users/{user_id}/reactivate"),
    ("POST", "/admin/users/{user_id}/reset-link"),
    ("GET", "/admin/handover"),
    ("POST", "/admin/handover"),
}
ALLOWED.update({route: {"admin"} for route in ADMIN_ROUTES})
PUBLIC |= {
    ("GET", "/invite/{token}"),
    ("POST", "/invite/{token}"),
    ("GET", "/reset/{token}"),
    ("POST", "/reset/{token}"),
    ("GET", "/forgot-password"),
    ("POST", "/forgot-password"),
}


# Bringing and editing card decks (issue 7): facilitators and admins only.
FACILITATORS = {"facilitator", "admin"}
DECK_ROUTES = {
    ("GET", "/decks/new"),
    ("POST", "/decks/new"),
    ("GET", "/decks/uploads/{key}"),
    ("GET", "/decks/uploads/{key}/progress"),
    ("POST", "/decks/uploads/{key}/files"),
    ("POST", "/decks/uploads/{key}/files/{file_id}/remove"),
    ("POST", "/decks/uploads/{key}/manifest/remove"),
    ("POST", "/decks/uploads/{key}/discard"),
    ("GET", "/decks/uploads/{key}/files/{file_id}.webp"),
    ("GET", "/decks/{slug}/edit"),
    ("POST", "/decks/{slug}/edit"),
    ("POST", "/decks/{slug}/status"),
    ("POST", "/decks/{slug}/cards/{card_id}"),
    ("POST", "/decks/{slug}/cards/{card_id}/image"),
    ("POST", "/decks/{slug}/cards/{card_id}/remove"),
    ("POST", "/decks/{slug}/cards/{card_id}/cover"),
    ("POST", "/decks/{slug}/cards/{card_id}/move"),
    ("POST", "/decks/{slug}/order"),
    ("GET", "/decks/{slug}/preview"),
    ("GET", "/decks/{slug}/download"),
}
ALLOWED.update(dict.fromkeys(DECK_ROUTES, FACILITATORS))


# The organisation's conversation settings (issue 15): facilitators and admins only.
SETTINGS_ROUTES = {
    ("GET", "/settings"),
    ("POST", "/settings/focus-areas"),
    ("GET", "/settings/focus-areas/{area_id}"),
    ("POST", "/settings/focus-areas/{area_id}"),
    ("POST", "/settings/focus-areas/{area_id}/archive"),
    ("POST", "/settings/focus-areas/{area_id}/reactivate"),
    ("POST", "/settings/focus-areas/{area_id}/delete"),
    ("POST", "/settings/focus-areas/{area_id}/move"),
    ("POST", "/settings/texts"),
    ("POST", "/settings/minutes"),
    ("POST", "/settings/decks"),
    ("POST", "/settings/questions"),
    ("POST", "/settings/questions/{question_id}"),
    ("POST", "/settings/questions/{question_id}/move"),
    ("POST", "/settings/questions/{question_id}/active"),
}
ALLOWED.update(dict.fromkeys(SETTINGS_ROUTES, FACILITATORS))


def walk(routes: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    """Every (method, path), also inside included routers (FastAPI keeps those wrapped)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found += [(m, prefix + route.path) for m in route.methods - {"HEAD"}]
        elif hasattr(route, "original_router"):
            found += walk(route.original_router.routes, prefix + route.include_context.prefix)
    return found


def app_routes() -> list[tuple[str, str]]:
    return sorted(walk(create_app(make_settings(Path("/nonexistent"))).routes))


ROUTES = app_routes()


def test_every_route_is_classified() -> None:
    assert set(ROUTES) == PUBLIC | set(ALLOWED)


# The leader's own employees; one employee's page, editing and merging (issue 15): the
# service answers 404 for another leader's employee.
EMPLOYEE_ROUTES = {
    ("GET", "/employees"),
    ("POST", "/employees"),
    ("POST", "/employees/{employee_id}"),
    ("GET", "/employees/{employee_id}"),
    ("POST", "/employees/{employee_id}/edit"),
    ("GET", "/employees/{employee_id}/merge"),
    ("POST", "/employees/{employee_id}/merge"),
}
ALLOWED.update(dict.fromkeys(EMPLOYEE_ROUTES, ROLES))


SAMPLE = {"sha256": "0" * 64, "step": "start", "row": "glad", "field": "learned"}


def concrete(path: str) -> str:
    """A real-looking path: numbers for ids, valid values for the enumerations."""
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLE.get(m.group(1), "999999"), path)


class Visitors:
    """One app and database for the module, and one client per role that stays logged in.

    A fresh app, database, user and login for each case cost about 0.7 s (migrations, and
    argon2 is slow on purpose), three minutes for the matrix; the requests take milliseconds.
    The clock stands still, so no session expires between cases.
    """

    def __init__(self, app: FastAPI, statements: Statements) -> None:
        self.app = app
        self.clients: dict[str, Client] = {}
        self.statements = statements

    def no_sql_on_the_event_loop(self) -> None:
        """Whatever a case asked, no statement ran on the event loop (a worker's job)."""
        on_loop, self.statements.on_loop = self.statements.on_loop, []
        assert on_loop == []

    def anonymous(self) -> Client:
        """The anonymous client, without any cookie an earlier case left behind."""
        client = self.clients.setdefault("anonymous", Client(self.app))
        client.cookies.clear()
        return client

    def logged_in(self, role: str) -> Client:
        """The client of ``role``, logged in again if an earlier case logged it out."""
        email = f"{role}@example.org"
        client = self.clients.get(role)
        if client is None:
            client = self.clients[role] = Client(self.app)
            add_user(client, email, role=role)
            client.login(email)
        elif client.get("/about", follow_redirects=False).status_code != 200:
            client.cookies.clear()
            client.login(email)
        return client


@pytest.fixture(scope="module")
def visitors(
    tmp_path_factory: pytest.TempPathFactory, migrated_database: Path
) -> Iterator[Visitors]:
    settings = make_settings(tmp_path_factory.mktemp("access") / "var")
    settings.data_dir.mkdir()
    shutil.copy(migrated_database, settings.data_dir / DATABASE_FILE)
    owner = Client(create_app(settings, clock=FakeClock()))
    with owner, watching(owner) as statements:  # the client runs the app's lifespan
        yield Visitors(owner.app, statements)


@pytest.mark.parametrize(("method", "path"), sorted(ALLOWED))
def test_anonymous_is_sent_to_login(visitors: Visitors, method: str, path: str) -> None:
    client = visitors.anonymous()
    response = client.request(
        method, concrete(path), headers={"x-csrftoken": client.csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    visitors.no_sql_on_the_event_loop()


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize(("method", "path"), sorted(ALLOWED))
def test_roles(visitors: Visitors, role: str, method: str, path: str) -> None:
    client = visitors.logged_in(role)
    response = client.request(
        method, concrete(path), headers={"x-csrftoken": client.csrf}, follow_redirects=False
    )
    if role in ALLOWED[(method, path)]:
        # Past the access check: whatever the (empty) request then gets, it is not a refusal.
        assert response.status_code not in (401, 403), response.status_code
        # The guard's refusal carries ?next=; Log out everywhere itself ends at /login.
        assert not response.headers.get("location", "").startswith("/login?next=")
    else:
        assert response.status_code in (403, 404)
    visitors.no_sql_on_the_event_loop()
