"""`arbejdsglaede remind` (issue 16): one digest per leader with something due, in the leader's
language, with links and no agreement text; never twice a day; without SMTP it only says what
it would send."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app import PROJECT_DIR
from app.db import make_engine, read_session, write_session
from app.mail import SmtpConfig
from app.models import Agreement, AuditEvent, Conversation, Employee, User
from app.records import reminders
from app.records.reminders import Paths, remind
from tests.factories import Organisation
from tests.support.smtp import running_inbox

NOW = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)  # 06:30 in Copenhagen
TODAY = date(2026, 12, 2)
BASE = "https://mus.example.org"
PATHS = Paths(
    home="/",
    conversation=lambda i: f"/conversations/{i}",
    employee=lambda i: f"/employees/{i}",
)
SECRET = "Anne vil gerne væk fra nattevagterne"


def _leader(session: Session, email: str, name: str, language: str | None = None) -> User:
    user = User(email=email, name=name, role="leader", password_hash="x", language=language)
    session.add(user)
    session.flush()
    return user


def _world(session: Session) -> dict[str, int]:
    """Leder A (Danish by default): Anne's agreement overdue by 2 days and Bo without a
    conversation. Leader B (English): Carl's follow-up in 5 days. Leder C: Dorte, nothing due.
    Leder D (deactivated): Erik never had a conversation."""
    org = Organisation(session)
    a = _leader(session, "a@example.org", "Leder A")
    b = _leader(session, "b@example.org", "Leader B", "en")
    c = _leader(session, "c@example.org", "Leder C")
    d = _leader(session, "d@example.org", "Leder D")
    d.is_active = False
    anne = Employee(leader_id=a.id or 0, name="Anne Holm")
    bo = Employee(leader_id=a.id or 0, name="Bo Ærø")
    carl = Employee(leader_id=b.id or 0, name="Carl Berg")
    dorte = Employee(leader_id=c.id or 0, name="Dorte Lund")
    erik = Employee(leader_id=d.id or 0, name="Erik Sø")
    session.add_all([d, anne, bo, carl, dorte, erik])
    session.flush()
    held = org.conversation(anne.id or 0, TODAY - timedelta(days=100))
    session.add(
        Agreement(conversation_id=held, text=SECRET, owner="both", due=TODAY - timedelta(days=2))
    )
    carls = session.get(Conversation, org.conversation(carl.id or 0, TODAY - timedelta(days=175)))
    assert carls is not None
    carls.follow_up_date = TODAY + timedelta(days=5)
    session.add(carls)
    org.conversation(dorte.id or 0, TODAY - timedelta(days=20))
    session.commit()
    return {"a": a.id or 0, "b": b.id or 0, "held": held, "bo": bo.id or 0, "carl": carl.id or 0}


def _smtp(port: int) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1",
        port=port,
        user=None,
        password=None,
        sender="arbejdsglaede@example.org",
        starttls=False,
        timeout=5,
    )


def test_one_digest_per_leader_with_something_due_in_their_language(session: Session) -> None:
    ids = _world(session)
    with running_inbox() as (inbox, port):
        outcome = remind(
            session, smtp=_smtp(port), dry_run=False, now=NOW, base_url=BASE, paths=PATHS
        )
        messages = inbox.messages()

    assert outcome.sent == 2 and outcome.failed == 0
    assert sorted(m["To"] for m in messages) == ["a@example.org", "b@example.org"]
    by_to = {m["To"]: m for m in messages}
    danish = by_to["a@example.org"]
    body = danish.get_content()
    assert danish["Subject"] == "Arbejdsglæde: det skal du følge op på for dine medarbejdere"
    assert "Hej Leder A" in body
    assert "Aftale med Anne Holm, frist" in body and "2 dage over fristen" in body
    assert f"{BASE}/conversations/{ids['held']}" in body
    assert "Bo Ærø: endnu ingen samtale" in body and f"{BASE}/employees/{ids['bo']}" in body
    assert f"Hele listen: {BASE}/" in body
    # The agreement's words stay in the app.
    assert SECRET not in body and "nattevagterne" not in body
    english = by_to["b@example.org"].get_content()
    assert "Hello Leader B" in english
    assert "Follow-up with Carl Berg" in english and "in 5 days" in english
    assert f"{BASE}/employees/{ids['carl']}" in english


def test_a_second_run_the_same_day_sends_nothing_the_next_day_sends_again(
    session: Session,
) -> None:
    ids = _world(session)
    with running_inbox() as (inbox, port):
        remind(session, smtp=_smtp(port), dry_run=False, now=NOW, base_url=BASE, paths=PATHS)
        # Late evening in Copenhagen is still the same day.
        late = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)
        again = remind(
            session, smtp=_smtp(port), dry_run=False, now=late, base_url=BASE, paths=PATHS
        )
        assert len(inbox.messages()) == 2
        assert again.sent == 0
        assert all(line.startswith("Already sent today") for line in again.lines)
        tomorrow = remind(
            session,
            smtp=_smtp(port),
            dry_run=False,
            now=NOW + timedelta(days=1),
            base_url=BASE,
            paths=PATHS,
        )
        assert tomorrow.sent == 2 and len(inbox.messages()) == 4
    logged = session.exec(
        select(AuditEvent).where(AuditEvent.action == reminders.REMINDER_SENT)
    ).all()
    assert sorted(e.subject_user_id for e in logged) == sorted([ids["a"], ids["b"]] * 2)
    assert {e.actor for e in logged} == {"system"} and {e.user_id for e in logged} == {None}


def test_without_smtp_it_says_what_it_would_send_and_records_nothing(session: Session) -> None:
    _world(session)

    outcome = remind(session, smtp=None, dry_run=False, now=NOW, base_url=BASE, paths=PATHS)

    assert outcome.sent == 0
    assert "Would send to a@example.org: 2 due (1 agreements" in outcome.lines[0]
    assert outcome.lines[1].startswith("Would send to b@example.org: 1 due")
    assert "SMTP is not configured" in outcome.lines[-1]
    assert not session.exec(select(AuditEvent)).all()


def test_dry_run_sends_nothing_even_with_smtp(session: Session) -> None:
    _world(session)
    with running_inbox() as (inbox, port):
        outcome = remind(
            session, smtp=_smtp(port), dry_run=True, now=NOW, base_url=BASE, paths=PATHS
        )
        assert inbox.messages() == []
    assert outcome.lines[-1] == "Dry run: nothing was sent."
    assert not session.exec(select(AuditEvent)).all()


def test_a_refused_mail_is_reported_and_tried_again_on_the_next_run(session: Session) -> None:
    _world(session)
    with running_inbox() as (_inbox, port):
        pass  # the server is gone: nobody listens on the port now
    outcome = remind(session, smtp=_smtp(port), dry_run=False, now=NOW, base_url=BASE, paths=PATHS)
    assert outcome.failed == 2 and outcome.sent == 0
    assert outcome.lines[0].startswith("Not sent to a@example.org: ")
    assert not session.exec(select(AuditEvent)).all()


def test_nothing_due_for_anyone_says_so(session: Session) -> None:
    outcome = remind(session, smtp=None, dry_run=False, now=NOW, base_url=BASE, paths=PATHS)
    assert outcome.lines == ["Nothing is due for any leader on 2026-12-02."]


# ----------------------------------------------------------------- the command itself


def _run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARBEJDSGLAEDE_")}
    clean.update(env, ARBEJDSGLAEDE_LOAD_DEFAULT_DECKS="false", PYTHONPATH=str(PROJECT_DIR))
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
    )


def test_remind_command_mails_once_a_day_and_prints_without_smtp(tmp_path: Path) -> None:
    assert _run(tmp_path, "migrate", env={}).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'arbejdsglaede.db'}")
    with write_session(engine) as session:
        leader = _leader(session, "leder@example.org", "Leder")
        session.add(Employee(leader_id=leader.id or 0, name="Ny Medarbejder"))
        session.commit()
    base = {"ARBEJDSGLAEDE_BASE_URL": "https://mus.example.org"}

    printed = _run(tmp_path, "remind", env=base)
    assert printed.returncode == 0, printed.stderr
    assert "Would send to leder@example.org: 1 due" in printed.stdout
    assert "SMTP is not configured" in printed.stdout

    with running_inbox() as (inbox, port):
        smtp = {
            **base,
            "ARBEJDSGLAEDE_SMTP_HOST": "127.0.0.1",
            "ARBEJDSGLAEDE_SMTP_PORT": str(port),
            "ARBEJDSGLAEDE_SMTP_FROM": "arbejdsglaede@example.org",
            "ARBEJDSGLAEDE_SMTP_STARTTLS": "false",
        }
        dry = _run(tmp_path, "remind", "--dry-run", env=smtp)
        assert dry.returncode == 0 and "Would send to leder@example.org" in dry.stdout
        assert inbox.messages() == []
        sent = _run(tmp_path, "remind", env=smtp)
        assert sent.returncode == 0, sent.stderr
        assert "Sent to leder@example.org: 1 due" in sent.stdout
        again = _run(tmp_path, "remind", env=smtp)
        assert "Already sent today to leder@example.org" in again.stdout
        messages = inbox.messages()
    assert len(messages) == 1 and messages[0]["To"] == "leder@example.org"
    body = messages[0].get_content()
    assert "Ny Medarbejder: endnu ingen samtale" in body
    with read_session(engine) as session:
        employee = session.exec(select(Employee).where(Employee.name == "Ny Medarbejder")).one()
    assert f"https://mus.example.org/employees/{employee.id}" in body
    engine.dispose()
