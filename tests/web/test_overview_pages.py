"""The organisation overview's page and CSV (issue 16) over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date

from pypdf import PdfReader
from sqlmodel import select

from app import PROJECT_DIR
from app.db import write_session
from app.models import AuditEvent, User
from tests.factories import Organisation
from tests.support import PARTIAL, Client, add_user, engine_of


def _people(client: Client, teams: dict[str, int], *, leader_email: str | None = None) -> None:
    """Teams of employees, each with a finished conversation in 2026; with ``leader_email``,
    every employee belongs to that (logged-in) leader."""
    with write_session(engine_of(client)) as session:
        org = Organisation(session)
        mine = None
        if leader_email:
            user = session.exec(select(User).where(User.email == leader_email)).one()
            mine = user.id
        for team, size in teams.items():
            leader = mine or org.leader()
            for n in range(size):
                employee = org.employee(leader, team)
                org.conversation(
                    employee,
                    date(2026, 3, 1 + n),
                    picks=[("status", "Sol"), ("glad", "Hav")],
                    agreements=[("Trivsel", "done", date(2026, 9, 1), None)],
                )
        session.commit()


def _login(client: Client, email: str, role: str) -> None:
    add_user(client, email, role=role)
    client.login(email)


def test_a_facilitator_sees_the_teams_and_why_small_ones_are_together(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Lager": 3, "Kontor": 5, "Salg": 7})
    page = client.get("/overview?period=2026&lang=en")
    assert page.status_code == 200
    assert "Teams with fewer than 5 employees are shown together as Other teams." in page.text
    assert "<svg" in page.text and "<figcaption>" in page.text
    assert 'class="visually-hidden"' in page.text
    assert "Based on 15 employees." in page.text
    assert 'href="/overview"' in page.text  # in the top menu
    small = client.get("/overview?period=2026&team=Lager&lang=en")
    assert "shown together with other small teams as Other teams" in small.text
    assert "Based on 8 employees." in small.text
    assert "Lager</option>" not in small.text


def test_a_half_year_with_nobody_behind_it_says_so(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Salg": 7})
    page = client.get("/overview?period=2026-H2&lang=en")
    assert "No conversations were finished in this period." in page.text


def test_a_figure_left_out_says_why_and_never_how_few(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Salg": 4})
    page = client.get("/overview?period=2026&lang=en")
    assert "Left out so that no one can be recognised" in page.text
    assert " 4 " not in page.text and "Based on 4" not in page.text


def test_a_leader_with_a_team_under_5_gets_no_figures(client: Client) -> None:
    _login(client, "leder@example.org", "leader")
    _people(client, {"Lager": 3}, leader_email="leder@example.org")
    page = client.get("/overview?lang=en")
    assert page.status_code == 200
    assert "Your team has fewer than 5 employees, so no figures are shown" in page.text
    assert "Based on" not in page.text and "<svg" not in page.text
    data = client.get("/overview/export.csv").content.decode("utf-8-sig")
    assert data.splitlines() == ["period;team;measure;key;value;group_size"]


def test_a_leader_with_7_employees_sees_their_team(client: Client) -> None:
    _login(client, "leder@example.org", "leader")
    _people(client, {"Salg": 7}, leader_email="leder@example.org")
    _people(client, {"Andet": 9})  # someone else's employees: not in this leader's figures
    page = client.get("/overview?period=2026&lang=en")
    assert "Your team" in page.text
    assert "Based on 7 employees." in page.text
    assert 'id="overview-team"' not in page.text


def test_a_period_that_is_not_one_is_refused_beside_the_filter(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    page = client.get("/overview?period=2026-H3&lang=en")
    assert page.status_code == 422
    assert "Choose a year, or a half-year such as 2026-H1." in page.text
    assert client.get("/overview/export.csv?period=x").status_code == 422


def test_a_partial_request_gets_the_figures_only(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Salg": 7})
    fragment = client.get("/overview?period=2026", headers=PARTIAL)
    assert fragment.text.lstrip().startswith('<div id="overview-body"')
    assert "<nav" not in fragment.text
    assert "HX-Request-Type" in fragment.headers["vary"]


def test_the_csv_is_excel_ready_filtered_and_audit_logged(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"=cmd|' /C calc'!A0": 6, "Salg": 7})
    response = client.get("/overview/export.csv?period=2026&team=Salg&lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["period", "team", "measure", "key", "value", "group_size"]
    assert {row[1] for row in rows[1:]} == {"Salg"}
    assert ["2026", "Salg", "mus_share", "", "100", "7"] in rows
    everything = client.get("/overview/export.csv?period=2026").content.decode("utf-8-sig")
    assert "'=cmd" in everything and ";=cmd" not in everything
    with write_session(engine_of(client)) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("overview_export") == 2


def test_a_small_team_where_every_team_is_small_shows_all_teams_and_says_so(
    client: Client,
) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Lager": 3, "Kontor": 4})
    page = client.get("/overview?period=2026&team=Lager&lang=en")
    assert "Every team has fewer than 5 employees, so all teams are shown together." in page.text
    assert "Based on 7 employees." in page.text


ARTIFACTS = PROJECT_DIR / "test-artifacts" / "overview"
ARTIFACTS.mkdir(parents=True, exist_ok=True)


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )


def test_the_management_evaluation_is_a_pdf_of_the_same_figures(client: Client) -> None:
    _login(client, "hr@example.org", "facilitator")
    _people(client, {"Lager": 3, "Kontor": 5, "Salg": 7})
    page = client.get("/overview?period=2026&lang=en").text
    assert 'href="/overview/report.pdf?' in page
    response = client.get("/overview/report.pdf?period=2026&lang=en")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    # Kept by no cache and indexed by no search engine, as every other record.
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-robots-tag"] == "noindex"
    text = _pdf_text(response.content)
    assert "Management evaluation" in text and "Did MUS move us towards our strategy?" in text
    assert "All teams · 2026" in text
    assert "no figure is shown for fewer than 5 employees" in text
    # The figures of the page: the focus area with its agreements, the cards most chosen.
    assert "Trivsel" in text and "Based on 15 employees." in text
    assert "Hav" in text
    # A small team is never named with figures of its own.
    assert "Lager" not in text
    danish_pdf = client.get("/overview/report.pdf?period=2026&lang=da").content
    # Kept to be looked at, as the browser tests keep their screenshots.
    (ARTIFACTS / "evaluation-da.pdf").write_bytes(danish_pdf)
    danish = _pdf_text(danish_pdf)
    assert "Ledelsesevaluering" in danish and "Alle teams · 2026" in danish
    with write_session(engine_of(client)) as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("overview_report") == 2


def test_a_leader_with_a_team_under_5_gets_an_evaluation_without_figures(client: Client) -> None:
    _login(client, "leder@example.org", "leader")
    _people(client, {"": 3}, leader_email="leder@example.org")
    text = _pdf_text(client.get("/overview/report.pdf?period=2026&lang=en").content)
    assert "Your team has fewer than 5 employees, so no figures are shown" in text
    assert "Based on" not in text and "Trivsel" not in text
