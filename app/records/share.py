"""The employee's copy (DESIGN §4): a short link and QR code that open the record's PDF on the
employee's own phone. One link per conversation at a time, expiring, revocable, every use in
the audit log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import segno
from sqlmodel import Session, col, select

from app.conversations.service import own_conversation
from app.errors import N_, DomainError
from app.models import Conversation, ConversationStatus, RecordShare
from app.records import audit

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
    session.commit()
    session.refresh(share)
    return share


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
    session.commit()


def use_share(
    session: Session, *, token: str, now: datetime, action: str, format: str = ""
) -> tuple[RecordShare, Conversation]:
    """The share and its conversation, counted and logged; refused uses are logged too."""
    token = token.strip().lower()
    share = (
        session.exec(select(RecordShare).where(RecordShare.token == token)).first()
        if len(token) == TOKEN_LENGTH
        else None
    )
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
    session.commit()
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
    url_for_token: object,
    qr_title: str,
) -> ShareView:
    conversation = own_conversation(session, leader_id, conversation_id)
    share = active_share(session, conversation_id, now)
    url = url_for_token(share.token) if share else None  # type: ignore[operator]
    return ShareView(
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
        can_share=conversation.status == ConversationStatus.completed,
        token=share.token if share else None,
        url=url,
        qr_svg=qr_svg(url, qr_title) if url else None,
        expires_at=_aware(share.expires_at) if share else None,
        uses=share.uses if share else 0,
    )
