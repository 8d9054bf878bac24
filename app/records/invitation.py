"""The invitation to the conversation (issue 15): one VEVENT in Europe/Copenhagen to download
or, when SMTP is set up, to e-mail to the employee as an attachment.

The UID is made from the conversation's id and the app's host, so importing a newer file (a
moved meeting, a cancellation) updates the one event a calendar has; the SEQUENCE is the
conversation's ``invitation_sequence``, one higher with each move and with the cancelling, so
a calendar takes the newer version. Without a time of day the meeting is an all-day event.
The file holds when, where and with whom: never a word of the conversation, nor why it was
cancelled.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress, vText
from sqlmodel import Session

from app import mail
from app.conversations.service import own_conversation
from app.db import write_transaction
from app.errors import N_, DomainError
from app.i18n import TIMEZONE, format_clock, format_day, translate
from app.models import Conversation, ConversationStatus, Employee, User
from app.records import audit
from app.records.exports import Export
from app.records.filenames import download_name
from app.records.share import valid_address

log = logging.getLogger("arbejdsglaede")

MEDIA_TYPE = "text/calendar; charset=utf-8"
SUMMARY = N_("MUS: %(name)s")
ABOUT_MUS = N_(
    "MUS, the employee development conversation, is a relaxed talk between you and your "
    "leader about how your work is going, what gives you joy at work, and what you would "
    "like to agree on for the time ahead."
)
PREPARATION = N_("Prepare for the conversation here: %(url)s")
CANCELLED = N_("The conversation is cancelled.")
MAIL_SUBJECT = N_("Invitation: employee development conversation (MUS) on %(day)s")
MAIL_SUBJECT_CANCELLED = N_("Cancelled: employee development conversation (MUS) on %(day)s")
MAIL_BODY = N_(
    "Hello %(name)s,\n\nyou are invited to your employee development conversation (MUS) "
    "with %(leader)s %(when)s.%(place)s\n\nThe invitation is attached: open it to add the "
    "meeting to your calendar.\n"
)
MAIL_BODY_CANCELLED = N_(
    "Hello %(name)s,\n\nyour employee development conversation (MUS) with %(leader)s "
    "%(when)s is cancelled. Open the attachment to take it out of your calendar.\n"
)
WHEN_DAY = N_("on %(day)s")
WHEN_DAY_TIME = N_("on %(day)s at %(time)s")
WHERE = N_(" Place: %(place)s.")
MAIL_NOT_SENT = N_(
    "The invitation could not be sent: the mail server did not answer or refused it. "
    "Download it instead, or try again later."
)
NO_MAIL = N_("Sending e-mail is not set up on this server. Download the invitation instead.")
NOT_PLANNED = N_("The conversation has started or is finished: there is nothing to invite to.")


def uid_for(conversation_id: int, base_url: str) -> str:
    """``conversation-7-invitation@mus.example.dk``: the same for every version of one
    conversation's invitation, and different between two installations."""
    host = urlsplit(base_url).hostname or "arbejdsglaede"
    return f"conversation-{conversation_id}-invitation@{host}"


def render_invitation(
    conversation: Conversation,
    *,
    employee: Employee | None,
    leader: User | None,
    base_url: str,
    now: datetime,
    preparation_url: str | None = None,
) -> bytes:
    """The .ics for ``conversation``. ``preparation_url``: the employee's private preparation
    page, written into the description when there is one."""
    lang = conversation.language
    cancelled = conversation.status == ConversationStatus.cancelled
    calendar = Calendar()
    calendar.add("prodid", "-//Arbejdsglaede//Invitation//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add("x-wr-timezone", str(TIMEZONE))

    event = Event()
    event.add("uid", uid_for(conversation.id or 0, base_url))
    event.add("sequence", conversation.invitation_sequence)
    event.add("dtstamp", now.astimezone(TIMEZONE))
    if conversation.starts_at is None:
        # All-day: DTSTART a DATE, DTEND the day after (RFC 5545 §3.6.1).
        event.add("dtstart", conversation.date)
        event.add("dtend", conversation.date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        start = starts(conversation)
        assert start is not None
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=conversation.duration_minutes))
    name = employee.name if employee else ""
    event.add("summary", translate(lang, SUMMARY, name=name))
    if conversation.place:
        event.add("location", conversation.place)
    lines = [translate(lang, CANCELLED)] if cancelled else []
    lines.append(translate(lang, ABOUT_MUS))
    if preparation_url and not cancelled:
        lines += ["", translate(lang, PREPARATION, url=preparation_url)]
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if leader is not None and leader.email:
        organizer = vCalAddress(f"mailto:{leader.email}")
        organizer.params["cn"] = vText(leader.name)
        event.add("organizer", organizer)
    if employee is not None and employee.email:
        attendee = vCalAddress(f"mailto:{employee.email}")
        attendee.params["cn"] = vText(employee.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def starts(conversation: Conversation) -> datetime | None:
    """When the meeting begins, in Copenhagen; None when it has no time of day yet."""
    if conversation.starts_at is None:
        return None
    return datetime.combine(conversation.date, conversation.starts_at, tzinfo=TIMEZONE)


def _filename(conversation: Conversation, employee: Employee | None) -> str:
    return download_name(
        day=conversation.date,
        name=employee.name if employee else "",
        lang=conversation.language,
        kind="invitation",
        extension="ics",
    )


def _invitable(session: Session, leader_id: int, conversation_id: int) -> Conversation:
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status not in (ConversationStatus.planned, ConversationStatus.cancelled):
        raise DomainError(NOT_PLANNED, status_code=409)
    return conversation


def invitation_for(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    base_url: str,
    now: datetime,
    preparation_url: str | None = None,
) -> Export:
    """The leader's own planned (or cancelled) conversation's invitation, to download."""
    conversation = _invitable(session, leader_id, conversation_id)
    employee = session.get(Employee, conversation.employee_id)
    leader = session.get(User, conversation.leader_id)
    data = render_invitation(
        conversation,
        employee=employee,
        leader=leader,
        base_url=base_url,
        now=now,
        preparation_url=preparation_url,
    )
    return Export(data, MEDIA_TYPE, _filename(conversation, employee))


def mail_text(
    conversation: Conversation, *, employee_name: str, leader_name: str
) -> tuple[str, str]:
    """Subject and body in the conversation's language."""
    lang = conversation.language
    day = format_day(conversation.date, lang)
    if conversation.starts_at is None:
        when = translate(lang, WHEN_DAY, day=day)
    else:
        when = translate(
            lang, WHEN_DAY_TIME, day=day, time=format_clock(conversation.starts_at, lang)
        )
    if conversation.status == ConversationStatus.cancelled:
        subject = translate(lang, MAIL_SUBJECT_CANCELLED, day=day)
        body = translate(
            lang, MAIL_BODY_CANCELLED, name=employee_name, leader=leader_name, when=when
        )
        return subject, body
    place = translate(lang, WHERE, place=conversation.place) if conversation.place else ""
    subject = translate(lang, MAIL_SUBJECT, day=day)
    body = translate(
        lang, MAIL_BODY, name=employee_name, leader=leader_name, when=when, place=place
    )
    return subject, body


def send_invitation(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    to: str,
    smtp: mail.SmtpConfig | None,
    base_url: str,
    now: datetime,
    preparation_url: str | None = None,
) -> str:
    """E-mail the invitation to the employee; the address it went to. An address typed here
    becomes the employee's e-mail address. The mail server is called outside any write
    transaction (a slow server must not hold the write lock); the audit entry, with ids only,
    is written after it answered."""
    if smtp is None:
        raise DomainError(NO_MAIL)
    conversation = _invitable(session, leader_id, conversation_id)
    employee = session.get(Employee, conversation.employee_id)
    if employee is None:  # pragma: no cover - a conversation always has its employee
        raise DomainError(NOT_PLANNED)
    address = valid_address(to or employee.email)
    if address != employee.email:
        with write_transaction(session):
            employee.email = address
            session.add(employee)
    leader = session.get(User, conversation.leader_id)
    data = render_invitation(
        conversation,
        employee=employee,
        leader=leader,
        base_url=base_url,
        now=now,
        preparation_url=preparation_url,
    )
    subject, body = mail_text(
        conversation, employee_name=employee.name, leader_name=leader.name if leader else ""
    )
    message = mail.compose(sender=smtp.sender, to=address, subject=subject, body=body)
    method = "CANCEL" if conversation.status == ConversationStatus.cancelled else "PUBLISH"
    message.add_attachment(
        data,
        maintype="text",
        subtype="calendar",
        filename=_filename(conversation, employee),
        params={"method": method},
    )
    try:
        mail.send(smtp, message)
    except mail.MailNotSent as problem:
        # Ids and the failure's kind only: never the address or the server's reply.
        log.warning("invitation not sent: conversation=%s kind=%s", conversation_id, problem.kind)
        raise DomainError(MAIL_NOT_SENT, status_code=502) from problem
    with write_transaction(session):
        audit.log(
            session,
            action="invitation_sent",
            at=now,
            user_id=leader_id,
            conversation_id=conversation_id,
            employee_id=conversation.employee_id,
            format="ics",
        )
    return address
