"""The employee's preparation page (issue 15, DESIGN §1 "Before the conversation"): a private
link, no account, that shows the meeting, the agenda and the organisation's focus areas, and
where the employee adds topics and keeps private notes.

The link lives until the end of the meeting day in Copenhagen; a new one replaces the old,
the leader can revoke it. Only the token's SHA-256 is stored (like a password reset link);
the token itself is an HMAC of a stored nonce with the server's secret key, so the server can
show the same link again and write it into the invitation while a copy of the database alone
opens nothing. Every visit is in the audit log, with ids only.

Private notes are the employee's alone: no page, export or record of the leader shows them.
"Bring into the conversation" copies a note into a topic of the employee's, which the leader
then sees like any other topic; the note itself stays private.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from app.conversations import marking, topics
from app.conversations.service import own_conversation
from app.conversations.steps import STEPS
from app.db import write_transaction, writes
from app.errors import N_, DomainError, NotFound
from app.i18n import TIMEZONE
from app.models import (
    Conversation,
    ConversationStatus,
    Employee,
    PreparationLink,
    PreparationNote,
    User,
)
from app.models.preparation import MAX_NOTES, MAX_PREPARATION_NOTE, MAX_TOPIC
from app.records import audit
from app.records.share import qr_svg
from app.settings import service as settings

# Lower case and digits without 0/o, 1/l/i, as the copy link: easy to type from paper.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 16  # 31^16 ≈ 2^79: the page shows the employee's words to whoever has it
ACTOR = "preparation_link"


class PreparationGone(Exception):
    """Unknown, expired or revoked: the page answers the same for all three."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_for(link: PreparationLink, key: str) -> str:
    digest = hmac.new(key.encode(), f"preparation-link:{link.nonce}".encode(), "sha256").digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:TOKEN_LENGTH])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(conversation: Conversation) -> datetime:
    """The end of the meeting day in Copenhagen, or two hours after the meeting's end when a
    late meeting runs past midnight."""
    end_of_day = datetime.combine(conversation.date + timedelta(days=1), time(0), TIMEZONE)
    if conversation.starts_at is not None:
        start = datetime.combine(conversation.date, conversation.starts_at, TIMEZONE)
        late = start + timedelta(minutes=conversation.duration_minutes + 120)
        end_of_day = max(end_of_day, late)
    return end_of_day.astimezone(UTC)


def is_live(link: PreparationLink, now: datetime) -> bool:
    return link.revoked_at is None and _aware(link.expires_at) > now


def live_link(session: Session, conversation_id: int, now: datetime) -> PreparationLink | None:
    links = session.exec(
        select(PreparationLink)
        .where(PreparationLink.conversation_id == conversation_id)
        .where(col(PreparationLink.revoked_at).is_(None))
        .order_by(col(PreparationLink.id).desc())
    )
    return next((link for link in links if is_live(link, now)), None)


def shown_token(link: PreparationLink, keys: Sequence[str]) -> str | None:
    """The link's token, made again from its nonce by whichever key made it (the current one,
    or one in ``previous_secret_keys``). None when none of them did: the link still opens for
    whoever has it, but this server can no longer show it, so a new one is needed."""
    for key in keys:
        token = token_for(link, key)
        if hmac.compare_digest(token_hash(token), link.token_hash):
            return token
    return None


def live_token(
    session: Session, conversation_id: int, now: datetime, keys: Sequence[str]
) -> str | None:
    """The token of the live link, for the invitation; None without one."""
    link = live_link(session, conversation_id, now)
    return shown_token(link, keys) if link else None


def _planned(session: Session, leader_id: int, conversation_id: int) -> Conversation:
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status != ConversationStatus.planned:
        raise DomainError(
            N_("A preparation link is for a planned conversation that has not begun."),
            status_code=409,
        )
    return conversation


@writes
def create_link(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime, keys: Sequence[str]
) -> PreparationLink:
    """A fresh link; an earlier one of the same conversation stops working."""
    conversation = _planned(session, leader_id, conversation_id)
    expires_at = expiry(conversation)
    if expires_at <= now:
        raise DomainError(N_("The meeting day has passed: move the meeting first."))
    for old in session.exec(
        select(PreparationLink)
        .where(PreparationLink.conversation_id == conversation_id)
        .where(col(PreparationLink.revoked_at).is_(None))
    ):
        old.revoked_at = now
        session.add(old)
    link = PreparationLink(
        conversation_id=conversation_id,
        nonce=secrets.token_hex(16),
        token_hash="",
        created_at=now,
        expires_at=expires_at,
    )
    link.token_hash = token_hash(token_for(link, keys[0]))
    session.add(link)
    session.flush()
    audit.log(
        session,
        action="preparation_link_created",
        at=now,
        user_id=leader_id,
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
    )
    return link


def ensure_link(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime, keys: Sequence[str]
) -> PreparationLink:
    """The live link, or a new one when there is none (or when it was made with a secret key
    this server no longer has, and cannot be shown): a second tap shows the same link."""
    with write_transaction(session):
        _planned(session, leader_id, conversation_id)
        link = live_link(session, conversation_id, now)
        if link is not None and shown_token(link, keys) is not None:
            return link
        return create_link(
            session, leader_id=leader_id, conversation_id=conversation_id, now=now, keys=keys
        )


@writes
def revoke_link(session: Session, *, leader_id: int, conversation_id: int, now: datetime) -> None:
    conversation = own_conversation(session, leader_id, conversation_id)
    link = live_link(session, conversation_id, now)
    if link is None:
        return  # nothing to revoke: a second tap
    link.revoked_at = now
    session.add(link)
    audit.log(
        session,
        action="preparation_link_revoked",
        at=now,
        user_id=leader_id,
        conversation_id=conversation_id,
        employee_id=conversation.employee_id,
    )


def find(session: Session, token: str, now: datetime) -> tuple[PreparationLink, Conversation]:
    """The live link for ``token`` and its conversation; PreparationGone otherwise (the same
    for unknown, expired, revoked and a cancelled conversation)."""
    token = token.strip().lower()
    if len(token) != TOKEN_LENGTH or any(c not in ALPHABET for c in token):
        raise PreparationGone()
    link = session.exec(
        select(PreparationLink).where(PreparationLink.token_hash == token_hash(token))
    ).first()
    if link is None or not is_live(link, now):
        raise PreparationGone()
    conversation = session.get(Conversation, link.conversation_id)
    if conversation is None or conversation.status == ConversationStatus.cancelled:
        raise PreparationGone()
    return link, conversation


def visit(session: Session, *, token: str, now: datetime) -> tuple[PreparationLink, Conversation]:
    """A visit of the page, in the audit log (ids only): who came when, never what they wrote."""
    link, conversation = find(session, token, now)
    with write_transaction(session):
        event = audit.log(
            session,
            action="preparation_viewed",
            at=now,
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
        )
        event.actor = ACTOR
    return link, conversation


# ---------------------------------------------------------------- private notes


def notes_of(session: Session, conversation_id: int) -> list[PreparationNote]:
    """For the preparation page only: never call this from a leader's page or an export."""
    return list(
        session.exec(
            select(PreparationNote)
            .where(PreparationNote.conversation_id == conversation_id)
            .order_by(col(PreparationNote.id))
        )
    )


def _checked_note(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(N_("Write the note first."))
    if len(text) > MAX_PREPARATION_NOTE:
        raise DomainError(N_("A note can be at most %(n)d characters."), n=MAX_PREPARATION_NOTE)
    return text


def _own_note(session: Session, conversation: Conversation, note_id: int) -> PreparationNote:
    note = session.get(PreparationNote, note_id)
    if note is None or note.conversation_id != conversation.id:
        raise NotFound()
    return note


@writes
def add_note(
    session: Session, *, conversation: Conversation, text: str, now: datetime
) -> PreparationNote:
    text = _checked_note(text)
    count = session.exec(
        select(func.count())
        .select_from(PreparationNote)
        .where(PreparationNote.conversation_id == conversation.id)
    ).one()
    if count >= MAX_NOTES:
        raise DomainError(N_("You can keep at most %(n)d notes here."), n=MAX_NOTES)
    note = PreparationNote(
        conversation_id=conversation.id or 0, text=text, created_at=now, updated_at=now
    )
    session.add(note)
    session.flush()
    return note


@writes
def delete_note(session: Session, *, conversation: Conversation, note_id: int) -> None:
    session.delete(_own_note(session, conversation, note_id))


@writes
def bring_note(
    session: Session, *, conversation: Conversation, note_id: int, now: datetime
) -> None:
    """The employee's choice: the note's text becomes one of their topics, which the leader
    sees; a second tap adds nothing."""
    note = _own_note(session, conversation, note_id)
    if note.brought_at is not None:
        return
    topics.add_employee_topic(session, conversation=conversation, text=note.text, now=now)
    note.brought_at = now
    session.add(note)


# ---------------------------------------------------------------- what the page shows


@dataclass(frozen=True)
class NoteView:
    id: int
    text: str
    brought: bool


@dataclass(frozen=True)
class AgendaLine:
    name: str  # msgid
    minutes: int


@dataclass(frozen=True)
class FocusLine:
    name: str
    description: str


@dataclass(frozen=True)
class PreparationPage:
    """Everything the employee's page shows, in the conversation's snapshot of the settings."""

    leader_name: str
    employee_name: str
    date: date
    starts_at: time | None
    duration_minutes: int
    place: str
    agenda: tuple[AgendaLine, ...]
    focus_areas: tuple[FocusLine, ...]
    questions: tuple[str, ...]
    topics: tuple[topics.TopicView, ...]
    notes: tuple[NoteView, ...]
    can_add: bool  # planned: topics can still be added and taken back
    until: datetime
    topic_limit: int = MAX_TOPIC
    note_limit: int = MAX_PREPARATION_NOTE


def page(
    session: Session, link: PreparationLink, conversation: Conversation, lang: str
) -> PreparationPage:
    kept = settings.conversation_settings(conversation)
    leader = session.get(User, conversation.leader_id)
    employee = session.get(Employee, conversation.employee_id)
    return PreparationPage(
        leader_name=leader.name if leader else "",
        employee_name=employee.name if employee else "",
        date=conversation.date,
        starts_at=conversation.starts_at,
        duration_minutes=conversation.duration_minutes,
        place=conversation.place,
        agenda=tuple(AgendaLine(s.name, kept.minutes_for(s.step)) for s in STEPS),
        focus_areas=tuple(FocusLine(a.name(lang), a.description(lang)) for a in kept.focus_areas),
        # The questions the leader marked as mattering most for this person, on Prepare.
        questions=tuple(q.text(lang) for q in marking.marked_questions(session, conversation)),
        topics=tuple(topics.topic_views(session, conversation)),
        notes=tuple(
            NoteView(id=n.id or 0, text=n.text, brought=n.brought_at is not None)
            for n in notes_of(session, conversation.id or 0)
        ),
        can_add=conversation.status == ConversationStatus.planned,
        until=_aware(link.expires_at),
    )


@dataclass(frozen=True)
class LinkView:
    """The leader's panel: the link and its QR code while one is live."""

    conversation_id: int
    employee_name: str
    url: str | None
    qr_svg: str | None
    expires_at: datetime | None
    is_planned: bool


def link_view(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    now: datetime,
    keys: Sequence[str],
    url_for_token: Callable[[str], str],
    qr_title: str,
) -> LinkView:
    conversation = own_conversation(session, leader_id, conversation_id)
    link = live_link(session, conversation_id, now)
    employee = session.get(Employee, conversation.employee_id)
    token = shown_token(link, keys) if link else None
    url = url_for_token(token) if token else None
    return LinkView(
        conversation_id=conversation_id,
        employee_name=employee.name if employee else "",
        url=url,
        qr_svg=qr_svg(url, qr_title) if url else None,
        expires_at=_aware(link.expires_at) if link and url else None,
        is_planned=conversation.status == ConversationStatus.planned,
    )
