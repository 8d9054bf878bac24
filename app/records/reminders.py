"""`arbejdsglaede remind` (issue 16, DESIGN §7): once a day, each leader with something due gets
one e-mail listing it, in the leader's language, with links into the app.

What the e-mail holds is kept to the minimum a leader needs to act: the employee's name, the
kind of thing due, its date, and a link. Never an agreement's text or a word of the
conversation (GDPR data minimisation, art. 5(1)(c)): a mailbox is read on phones, forwarded
and kept for years outside the app's retention and audit log, and the link behind a login
shows the rest to the one person allowed to see it.

A digest sent is written to the audit log (``reminder_sent``, the leader as its subject), and
a leader who got one today gets no second one, however often the command runs: the log is
kept in the database every instance shares, so two servers with the same timer still send one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app import mail
from app.conversations.due import Due, due_for
from app.db import writes
from app.errors import N_
from app.i18n import TIMEZONE, format_day, translate, translate_plural
from app.models import AuditEvent, Employee, User

REMINDER_SENT = "reminder_sent"
SYSTEM = "system"  # AuditEvent.actor: no person did it; a scheduled task did

SUBJECT = N_("Arbejdsglæde: what is due for your employees")
INTRO = N_("Hello %(name)s,\n\nthis is due for your employees in Arbejdsglæde:")
AGREEMENT_LINE = N_("Agreement with %(employee)s, deadline %(day)s (%(when)s)")
FOLLOW_UP_LINE = N_("Follow-up with %(employee)s, %(day)s (%(when)s)")
LAPSED_LINE = N_("%(employee)s: no conversation since %(day)s")
NEVER_LINE = N_("%(employee)s: no conversation yet")
OUTRO = N_(
    "The whole list: %(url)s\n\nYou get this e-mail on days when something is due. It holds no "
    "agreement's wording and nothing said in a conversation; the links ask you to log in.\n"
)


@dataclass(frozen=True)
class Paths:
    """Where the links point, from the app's own routes (the command line has no request)."""

    home: str
    conversation: Callable[[int], str]
    employee: Callable[[int], str]


@dataclass(frozen=True)
class Digest:
    leader_id: int
    email: str
    lang: str
    due: Due
    subject: str
    body: str

    def summary(self) -> str:
        return (
            f"{self.email}: {self.due.count} due ({len(self.due.agreements)} agreements, "
            f"{len(self.due.follow_ups)} follow-ups, "
            f"{len(self.due.without_conversation)} without a conversation)"
        )


def _when(lang: str, days: int) -> str:
    if days < 0:
        return translate_plural(lang, "overdue by %(n)d day", "overdue by %(n)d days", -days)
    if days == 0:
        return translate(lang, "today")
    return translate_plural(lang, "in %(n)d day", "in %(n)d days", days)


def compose(leader: User, due: Due, *, lang: str, base_url: str, paths: Paths) -> tuple[str, str]:
    """The subject and text of one leader's digest."""

    def link(path: str) -> str:
        return base_url.rstrip("/") + path

    lines = [translate(lang, INTRO, name=leader.name), ""]
    for a in due.agreements:
        day = format_day(a.due, lang, "short")
        lines.append(
            "- "
            + translate(
                lang, AGREEMENT_LINE, employee=a.employee_name, day=day, when=_when(lang, a.days)
            )
        )
        lines.append("  " + link(paths.conversation(a.conversation_id)))
    for f in due.follow_ups:
        day = format_day(f.follow_up_date, lang, "short")
        lines.append(
            "- "
            + translate(
                lang, FOLLOW_UP_LINE, employee=f.employee_name, day=day, when=_when(lang, f.days)
            )
        )
        lines.append("  " + link(paths.employee(f.employee_id)))
    for n in due.without_conversation:
        if n.last is None:
            text = translate(lang, NEVER_LINE, employee=n.employee_name)
        else:
            text = translate(
                lang, LAPSED_LINE, employee=n.employee_name, day=format_day(n.last, lang, "short")
            )
        lines.append("- " + text)
        lines.append("  " + link(paths.employee(n.employee_id)))
    lines += ["", translate(lang, OUTRO, url=link(paths.home))]
    return translate(lang, SUBJECT), "\n".join(lines)


def digests(session: Session, *, today: date, base_url: str, paths: Paths) -> list[Digest]:
    """One digest per active user with employees and something due, in user id order."""
    leaders = session.exec(
        select(User)
        .where(col(User.is_active).is_(True))
        .where(col(User.id).in_(select(Employee.leader_id).distinct()))
        .order_by(col(User.id))
    ).all()
    found = []
    for leader in leaders:
        due = due_for(session, leader.id or 0, today)
        if due.is_empty:
            continue
        lang = leader.language or "da"
        subject, body = compose(leader, due, lang=lang, base_url=base_url, paths=paths)
        found.append(
            Digest(
                leader_id=leader.id or 0,
                email=leader.email,
                lang=lang,
                due=due,
                subject=subject,
                body=body,
            )
        )
    return found


def _day_in_utc(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=TIMEZONE)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=TIMEZONE)
    return start.astimezone(UTC), end.astimezone(UTC)


def sent_on(session: Session, *, leader_id: int, day: date) -> bool:
    """Whether the leader got a digest on ``day`` (Copenhagen's date)."""
    start, end = _day_in_utc(day)
    return (
        session.exec(
            select(AuditEvent.id)
            .where(AuditEvent.action == REMINDER_SENT)
            .where(AuditEvent.subject_user_id == leader_id)
            .where(col(AuditEvent.at) >= start)
            .where(col(AuditEvent.at) < end)
        ).first()
        is not None
    )


@writes
def mark_sent(session: Session, *, leader_id: int, at: datetime) -> None:
    session.add(AuditEvent(at=at, actor=SYSTEM, action=REMINDER_SENT, subject_user_id=leader_id))


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    sent: int = 0
    failed: int = 0


def remind(
    session: Session,
    *,
    smtp: mail.SmtpConfig | None,
    dry_run: bool,
    now: datetime,
    base_url: str,
    paths: Paths,
) -> Outcome:
    """Send each leader's digest unless it went out today. Without SMTP, or with ``dry_run``,
    say what would be sent and send nothing. The mail server is called outside any write
    transaction; the audit entry is written once the server took the message."""
    today = now.astimezone(TIMEZONE).date()
    outcome = Outcome()
    found = digests(session, today=today, base_url=base_url, paths=paths)
    if not found:
        outcome.lines.append(f"Nothing is due for any leader on {today.isoformat()}.")
    for digest in found:
        if sent_on(session, leader_id=digest.leader_id, day=today):
            outcome.lines.append(f"Already sent today to {digest.summary()}")
            continue
        if smtp is None or dry_run:
            outcome.lines.append(f"Would send to {digest.summary()}")
            continue
        message = mail.compose(
            sender=smtp.sender, to=digest.email, subject=digest.subject, body=digest.body
        )
        try:
            mail.send(smtp, message)
        except mail.MailNotSent as problem:
            outcome.failed += 1
            outcome.lines.append(f"Not sent to {digest.email}: {problem.kind}")
            continue
        mark_sent(session, leader_id=digest.leader_id, at=now)
        outcome.sent += 1
        outcome.lines.append(f"Sent to {digest.summary()}")
    if smtp is None and found:
        outcome.lines.append("SMTP is not configured (ARBEJDSGLAEDE_SMTP_HOST): nothing was sent.")
    elif dry_run and found:
        outcome.lines.append("Dry run: nothing was sent.")
    return outcome
