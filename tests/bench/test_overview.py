"""DESIGN §8, issue 16: the organisation overview and its CSV with 300 leaders, 3,000
employees and 10,000 conversations stored: p95 render time through the TestClient, reported
beside the plain SQL aggregate queries alone, in the same run, as a ratio. Never asserted
against a clock."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, select

from app.models import Agreement, Conversation, Employee, Pick, User
from tests.factories import Organisation
from tests.support import Client, add_user, engine_of
from tests.support.bench import report

LEADERS = 300
EMPLOYEES = 3_000
CONVERSATIONS = 10_000
RENDERS = 20
MADE = datetime(2026, 1, 1, tzinfo=UTC)
TITLES = [f"Kort {n}" for n in range(40)]
AREAS = ["Trivsel", "Læring", "Kunden i centrum", "Digitalisering", ""]
STATUSES = ["open", "done", "partly", "not_done"]


def fill(engine: Engine) -> None:
    """The organisation in bulk: plain INSERTs of many rows at once."""
    with Session(engine) as session:
        org = Organisation(session)
        session.commit()
        deck, card = org.deck.id, org.card.id
        session.execute(
            insert(User),
            [
                {
                    "email": f"bench.leader.{n}@example.org",
                    "name": f"Leder {n}",
                    "role": "leader",
                    "password_hash": "x",
                    "is_active": True,
                    "created_at": MADE,
                }
                for n in range(LEADERS)
            ],
        )
        leaders = session.exec(select(User.id).where(User.role == "leader")).all()
        # 60 teams of 50 on average, a tenth of them small (2-4), some employees without a team.
        employees = []
        for n in range(EMPLOYEES):
            team = f"Team {n % 60}" if n % 97 else ""
            if n % 60 in (7, 19, 33) and n % 11:
                team = f"Lille team {n % 5}"
            employees.append(
                {
                    "leader_id": leaders[n % len(leaders)],
                    "name": "M",
                    "team": team,
                    "email": "",
                    "created_at": MADE,
                }
            )
        session.execute(insert(Employee), employees)
        people = session.exec(select(Employee.id, Employee.leader_id)).all()
        conversations = []
        for n in range(CONVERSATIONS):
            employee, leader = people[(n * 7) % len(people)]
            conversations.append(
                {
                    "leader_id": leader,
                    "employee_id": employee,
                    "date": date(2025, 1, 1) + timedelta(days=(n * 13) % 700),
                    "language": "da",
                    "status": "completed" if n % 10 else "planned",
                    "status_deck_id": deck,
                    "inspiration_deck_id": deck,
                    "current_step": "slut",
                    "revision": 0,
                    "revision_client": "",
                    "no_agreements": False,
                    "created_at": MADE,
                }
            )
        session.execute(insert(Conversation), conversations)
        ids = session.exec(select(Conversation.id)).all()
        picks, agreements = [], []
        for n, conversation in enumerate(ids):
            for k, row in enumerate(("status", "status", "glad", "less_glad", "more_glad")):
                title = TITLES[(n * 3 + k * 7) % len(TITLES)]
                picks.append(
                    {
                        "conversation_id": conversation,
                        "card_id": card,
                        "row": row,
                        "position": k,
                        "note": "",
                        "removed": False,
                        "title_da": title,
                        "title_en": title,
                        "alt_da": "",
                        "alt_en": "",
                        "image_sha256": "0" * 64,
                        "created_at": MADE,
                    }
                )
            for k in range(n % 3):
                agreements.append(
                    {
                        "conversation_id": conversation,
                        "text": "Aftale",
                        "owner": "both",
                        "due": date(2025, 3, 1) + timedelta(days=(n * 5 + k * 40) % 640),
                        "strategic_area": AREAS[(n + k) % len(AREAS)],
                        "status": STATUSES[(n + k) % len(STATUSES)],
                        "follow_up_comment": "",
                        "reviewed_in_id": ids[(n + 50) % len(ids)] if n % 2 else None,
                        "position": k,
                        "created_at": MADE,
                    }
                )
        session.execute(insert(Pick), picks)
        session.execute(insert(Agreement), agreements)
        session.commit()


# The same aggregates as plain SQL, per team and period, without the rule, the page or Python.
AGGREGATES = [
    "SELECT team, count(*) FROM employees GROUP BY team",
    """SELECT e.team, CASE WHEN c.date <= '2026-06-30' THEN 1 ELSE 2 END,
              count(DISTINCT c.employee_id)
       FROM conversations c JOIN employees e ON e.id = c.employee_id
       WHERE c.status = 'completed' AND c.date BETWEEN '2026-01-01' AND '2026-12-31'
       GROUP BY 1, 2""",
    """SELECT e.team, count(DISTINCT c.employee_id)
       FROM agreements a JOIN conversations c ON c.id = a.conversation_id
       JOIN employees e ON e.id = c.employee_id
       WHERE a.deleted_at IS NULL AND c.status = 'completed' AND c.date <= '2026-12-31'
         AND (a.status = 'open' OR c.date > '2025-12-31')
       GROUP BY 1""",
    """SELECT e.team, a.strategic_area, a.status, count(*)
       FROM agreements a JOIN conversations c ON c.id = a.conversation_id
       JOIN employees e ON e.id = c.employee_id
       WHERE a.deleted_at IS NULL AND c.status = 'completed'
         AND c.date BETWEEN '2026-01-01' AND '2026-12-31'
       GROUP BY 1, 2, 3""",
    """SELECT e.team, p.row, p.title_da, count(*)
       FROM picks p JOIN conversations c ON c.id = p.conversation_id
       JOIN employees e ON e.id = c.employee_id
       WHERE p.removed = 0 AND c.status = 'completed'
         AND c.date BETWEEN '2026-01-01' AND '2026-12-31'
       GROUP BY 1, 2, 3""",
    """SELECT e.team, count(*), sum(CASE WHEN r.date <= a.due THEN 1 ELSE 0 END)
       FROM agreements a JOIN conversations c ON c.id = a.conversation_id
       JOIN employees e ON e.id = c.employee_id
       LEFT JOIN conversations r ON r.id = a.reviewed_in_id AND r.status = 'completed'
       WHERE a.deleted_at IS NULL AND c.status = 'completed'
         AND a.due BETWEEN '2026-01-01' AND '2026-12-31'
       GROUP BY 1""",
]


def _p95(run: Callable[[], object]) -> tuple[float, float]:
    timings = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return timings[int(len(timings) * 0.95) - 1], statistics.median(timings)


def test_overview_and_csv_against_the_plain_sql_aggregates(client: Client) -> None:
    engine = engine_of(client)
    fill(engine)
    add_user(client, "bench.hr@example.org", role="facilitator")
    client.login("bench.hr@example.org")

    def page() -> None:
        assert client.get("/overview?period=2026").status_code == 200

    def export() -> None:
        assert client.get("/overview/export.csv?period=2026").status_code == 200

    def sql() -> None:
        with engine.connect() as connection:
            for query in AGGREGATES:
                connection.execute(text(query)).all()

    for warm in (page, export, sql):
        warm()
    page_p95, page_median = _p95(page)
    csv_p95, csv_median = _p95(export)
    sql_p95, sql_median = _p95(sql)
    size = len(client.get("/overview/export.csv?period=2026").content)
    report(
        "overview",
        {
            "leaders": LEADERS,
            "employees": EMPLOYEES,
            "conversations_stored": CONVERSATIONS,
            "renders": RENDERS,
            "page_p95_ms": round(page_p95, 1),
            "page_median_ms": round(page_median, 1),
            "csv_p95_ms": round(csv_p95, 1),
            "csv_median_ms": round(csv_median, 1),
            "csv_bytes": size,
            "plain_sql_p95_ms": round(sql_p95, 1),
            "plain_sql_median_ms": round(sql_median, 1),
            "page_to_sql_p95": round(page_p95 / sql_p95, 2),
            "csv_to_sql_p95": round(csv_p95 / sql_p95, 2),
            "page_to_sql_median": round(page_median / sql_median, 2),
            "csv_to_sql_median": round(csv_median / sql_median, 2),
            "note": "TestClient in-process: middleware, login check, the k-anonymity rule and "
            "rendering; the plain SQL is the same aggregates per team without any of that",
        },
    )
