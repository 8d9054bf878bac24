"""The employee's copy (DESIGN §4): a short link and QR code that open the record's PDF on the
employee's own phone. One link per conversation at a time, expiring, revocable, every use in
the audit log."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import segno
from sqlmodel import Session, col, select

from app import mail
from app.conversations.service import own_conversation
from app.db import write_transaction, writes
from app.errors import N_, DomainError
from app.i18n import format_day, translate
from app.models import Conversation, ConversationStatus, Employee, RecordShare, User
from app.records import audit

log = logging.getLogger("arbejdsglaede.records")

# Lower case and digits without 0/o, 1/l/i: easy to read aloud and to type on a phone.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 12  # 31^12 ≈ 2^59 possibilities, for a link that lives a week


class ShareGone(Exception):
    """The link is unknown, expired or revoked; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def is_active(share: RecordShare, now: datetime) -> bool:
    return share.revoked_at is None and _aware(share.expires_at) > now


def active_share(session: Session, conversation_id: int, now: datetime) -> RecordShare | None:
    shares = session.exec(
        select(RecordShare)
        .where(RecordShare.conversation_id == conversation_id)
        .where(col(RecordShare.revoked_at).is_(None))
        .order_by(col(RecordShare.id).desc())
    )
    return next((s for s in shares if is_active(s, now)), None)


@writes
def create_share(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime, days: int
) -> RecordShare:
    """A fresh link; an earlier one of the same conversation stops working."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status != ConversationStatus.completed:
        raise DomainError(
            N_("Finish the conversation first, so that the employee gets the final record.")
        )
    for old in session.exec(
        select(RecordShare)
        .where(RecordShare.conversation_id == conversation_id)
        .where(col(RecordShare.revoked_at).is_(None))
    ):
        old.revoked_at = now
        session.add(old)
    share = RecordShare(
        conversation_id=conversation_id,
        token=new_token(),
        created_by=leader_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(share)
    session.flush()
    audit.log(
        session,
        action="share_created",
        at=now,
        user_id=leader_id,
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
        share_id=share.id,
    )
    return share


@writes
def revoke_share(session: Session, *, leader_id: int, conversation_id: int, now: datetime) -> None:
    conversation = own_conversation(session, leader_id, conversation_id)
    share = active_share(session, conversation_id, now)
    if share is None:
        return  # nothing to revoke: a second tap
    share.revoked_at = now
    session.add(share)
    audit.log(
        session,
        action="share_revoked",
        at=now,
        user_id=leader_id,
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
        share_id=share.id,
    )


def use_share(
    session: Session, *, token: str, now: datetime, action: str, format: str = ""
) -> tuple[RecordShare, Conversation]:
    """The share and its conversation, counted and logged; refused uses are logged too."""
    token = token.strip().lower()
    if len(token) != TOKEN_LENGTH:
        raise ShareGone("unknown")
    with write_transaction(session):
        share = session.exec(select(RecordShare).where(RecordShare.token == token)).first()
        if share is None:
            raise ShareGone("unknown")
        conversation = session.get(Conversation, share.conversation_id)
        reason = (
            "revoked"
            if share.revoked_at is not None
            else "expired"
            if _aware(share.expires_at) <= now
            else None
        )
        audit.log(
            session,
            action=f"share_refused_{reason}" if reason else action,
            at=now,
            conversation_id=share.conversation_id,
            employee_id=conversation.employee_id if conversation else None,
            share_id=share.id,
            format=format,
        )
        if reason is None:
            share.uses += 1
            share.last_used_at = now
            session.add(share)
    # Raised after the write: a refused use stays in the log.
    if reason or conversation is None:
        raise ShareGone(reason or "unknown")
    return share, conversation


@dataclass(frozen=True)
class ShareView:
    conversation_id: int
    employee_id: int
    can_share: bool
    token: str | None
    url: str | None
    qr_svg: str | None
    expires_at: datetime | None
    uses: int
    can_email: bool  # SMTP is configured and there is a link to send
    employee_email: str  # what the leader entered on the employees page, to pre-fill


def qr_svg(url: str, title: str) -> str:
    """An inline SVG without style attributes or script: fine under the strict CSP."""
    qr = segno.make(url, error="m")
    return str(
        qr.svg_inline(
            scale=6, border=2, dark="#1d2327", light="#ffffff", title=title, omitsize=True
        )
    )


def share_view(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    now: datetime,
    url_for_token: Callable[[str], str],
    qr_title: str,
    email_enabled: bool = False,
) -> ShareView:
    conversation = own_conversation(session, leader_id, conversation_id)
    share = active_share(session, conversation_id, now)
    employee = session.get(Employee, conversation.employee_id)
    url = url_for_token(share.token) if share else None
    return ShareView(
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
        can_share=conversation.status == ConversationStatus.completed,
        token=share.token if share else None,
        url=url,
        qr_svg=qr_svg(url, qr_title) if url else None,
        expires_at=_aware(share.expires_at) if share else None,
        uses=share.uses if share else 0,
        can_email=email_enabled and share is not None,
        employee_email=employee.email if employee else "",
    )


MAIL_SUBJECT = N_("Your copy of the conversation")
MAIL_BODY = N_(
    "Hello,\n\n"
    "Here is the link to your copy of the conversation with %(leader)s on %(date)s. "
    "It opens the record as a PDF on your phone or computer:\n\n"
    "%(url)s\n\n"
    "The link works until %(until)s. If it has stopped working, ask %(leader)s for a new one."
)
MAIL_NOT_SENT = N_(
    "The e-mail could not be sent: the mail server did not answer or refused it. The link "
    "still works: let the employee scan the QR code, or try again later."
)


def valid_address(address: str) -> str:
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or len(address) > 254:
        raise DomainError(N_("Enter a valid e-mail address."))
    if any(c.isspace() or c in '<>,;"' for c in address):
        raise DomainError(N_("Enter a valid e-mail address."))
    return address


def mail_text(*, leader: str, on: date, url: str, until: datetime) -> tuple[str, str]:
    """Subject and body in Danish, then English: the employee's mail may be read in either."""
    bodies = [
        translate(
            lang,
            MAIL_BODY,
            leader=leader,
            date=format_day(on, lang),
            url=url,
            until=format_day(until, lang),
        )
        for lang in ("da", "en")
    ]
    subject = " · ".join(translate(lang, MAIL_SUBJECT) for lang in ("da", "en"))
    return subject, bodies[0] + "\n\n— English —\n\n" + bodies[1] + "\n"


def email_share(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    now: datetime,
    to: str,
    smtp: mail.SmtpConfig | None,
    url_for_token: Callable[[str], str],
) -> str:
    """E-mail the active link (the link only) to ``to``; the address it went to.

    Only the audit entry is written, after the mail server answered: a slow server must not
    hold SQLite's one write lock and stall every writer."""
    if smtp is None:
        raise DomainError(N_("Sending e-mail is not set up on this server."))
    conversation = own_conversation(session, leader_id, conversation_id)
    address = valid_address(to)
    share = active_share(session, conversation_id, now)
    if share is None:
        raise DomainError(N_("The link has expired or been withdrawn. Show a new QR code first."))
    leader = session.get(User, leader_id)
    employee_id, share_id = conversation.employee_id, share.id
    subject, body = mail_text(
        leader=leader.name if leader else "",
        on=conversation.date,
        url=url_for_token(share.token),
        until=_aware(share.expires_at),
    )
    message = mail.compose(sender=smtp.sender, to=address, subject=subject, body=body)
    try:
        mail.send(smtp, message)
    except mail.MailNotSent as problem:
        # Ids and the failure's kind only: never the address or the server's reply.
        log.warning(
            "share e-mail not sent: conversation=%s share=%s kind=%s",
            conversation_id,
            share_id,
            problem.kind,
        )
        raise DomainError(MAIL_NOT_SENT, status_code=502) from problem
    with write_transaction(session):
        audit.log(
            session,
            action="share_email",
            at=now,
            user_id=leader_id,
            conversation_id=conversation_id,
            employee_id=employee_id,
            share_id=share_id,
        )
    return address
