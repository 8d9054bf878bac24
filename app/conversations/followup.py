"""The short sessions after a MUS (DESIGN §1 "After it"): the follow-up of one MUS and the
check-in between MUS. Each is a conversation of its own kind (``Conversation.kind``), so
ownership, the status-card picks, the records pipeline, retention and erasure are the
conversation's; what is theirs is which agreements they review and how they finish.

A review is never an overwrite: ``service.append_review`` adds it to the agreement's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.conversations import service
from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.models import (
    Agreement,
    AgreementStatus,
    Conversation,
    ConversationKind,
    ConversationStatus,
    DeckPurpose,
    Employee,
    Pick,
)
from app.models.conversations import STATUS_ROW

SHORT_KINDS = (ConversationKind.followup, ConversationKind.checkin)


def is_short(conversation: Conversation) -> bool:
    return conversation.kind != ConversationKind.mus


def own_short(session: Session, leader_id: int, conversation_id: int) -> Conversation:
    """The leader's own follow-up or check-in; a MUS or anyone else's is a 404 here."""
    conversation = service.own_conversation(session, leader_id, conversation_id)
    if not is_short(conversation):
        raise NotFound()
    return conversation


def open_followup_of(session: Session, mus: Conversation) -> Conversation | None:
    """The follow-up of this MUS that is not finished yet, to carry on instead of a second."""
    return session.exec(
        select(Conversation).where(
            Conversation.parent_id == mus.id,
            Conversation.kind == ConversationKind.followup,
            col(Conversation.status).in_([ConversationStatus.planned, ConversationStatus.running]),
        )
    ).first()


@writes
def start_followup(
    session: Session, *, leader_id: int, conversation_id: int, on: date
) -> Conversation:
    """A finished MUS is followed up; anything else is refused with the reason. A second tap
    on `Start follow-up` opens the one already begun."""
    mus = service.own_conversation(session, leader_id, conversation_id)
    if mus.kind != ConversationKind.mus or mus.status != ConversationStatus.completed:
        raise DomainError(
            N_("Only a finished conversation can be followed up. Finish it first."),
            status_code=409,
        )
    begun = open_followup_of(session, mus)
    if begun is not None:
        return begun
    service.check_day(on)
    followup = _short(mus, kind=ConversationKind.followup, on=on, today=on)
    followup.parent_id = mus.id
    session.add(followup)
    session.flush()
    return followup


@writes
def start_checkin(
    session: Session, *, leader_id: int, employee_id: int, on: date, today: date
) -> Conversation:
    """A check-in with one of the leader's employees, today or planned for a later day. The
    cards come from the employee's last MUS, or the organisation's default decks."""
    employee = session.get(Employee, employee_id)
    if employee is None or employee.leader_id != leader_id:
        raise NotFound()
    service.check_day(on)
    if on < today:
        raise DomainError(N_("A check-in is held today or on a later day."))
    last = session.exec(
        select(Conversation)
        .where(Conversation.employee_id == employee_id, Conversation.kind == ConversationKind.mus)
        .order_by(col(Conversation.date).desc(), col(Conversation.id).desc())
    ).first()
    if last is None:
        decks = service.published_decks(session, DeckPurpose.status)
        inspiration = service.published_decks(session, DeckPurpose.inspiration)
        if not decks or not inspiration:
            raise DomainError(N_("Choose one of the offered card decks."))
        last = Conversation(
            leader_id=leader_id,
            employee_id=employee_id,
            date=on,
            status_deck_id=decks[0].id or 0,
            inspiration_deck_id=inspiration[0].id or 0,
        )
    checkin = _short(last, kind=ConversationKind.checkin, on=on, today=today)
    checkin.employee_id = employee_id
    session.add(checkin)
    session.flush()
    return checkin


def _short(model: Conversation, *, kind: ConversationKind, on: date, today: date) -> Conversation:
    return Conversation(
        leader_id=model.leader_id,
        employee_id=model.employee_id,
        kind=kind,
        date=on,
        language=model.language,
        status=ConversationStatus.running if on <= today else ConversationStatus.planned,
        status_deck_id=model.status_deck_id,
        inspiration_deck_id=model.inspiration_deck_id,
        # About ten minutes (DESIGN §1), a short agenda.
        duration_minutes=10 if kind == ConversationKind.checkin else 20,
        settings_snapshot=model.settings_snapshot,
    )


def agreements_to_review(session: Session, conversation: Conversation) -> list[Agreement]:
    """A follow-up reviews every agreement of its MUS. A check-in reviews the employee's
    agreements still not done from earlier conversations, and keeps those it reviewed done on
    its list, so the page does not lose them while it is open."""
    if conversation.kind == ConversationKind.followup:
        mus = session.get(Conversation, conversation.parent_id) if conversation.parent_id else None
        return service.agreements_of(session, mus) if mus else []
    return list(
        session.exec(
            select(Agreement)
            .join(Conversation, col(Conversation.id) == col(Agreement.conversation_id))
            .where(
                Conversation.employee_id == conversation.employee_id,
                Conversation.status == ConversationStatus.completed,
                Conversation.id != conversation.id,
                col(Agreement.deleted_at).is_(None),
                (col(Agreement.status) != AgreementStatus.done)
                | (col(Agreement.reviewed_in_id) == conversation.id),
            )
            .order_by(col(Conversation.date), col(Agreement.position), col(Agreement.id))
        )
    )


@writes
def review(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    status: str,
    comment: str,
    new_due: date | None = None,
    now: datetime | None = None,
    client: str = "",
) -> Agreement:
    """One agreement reviewed at a follow-up or check-in. Two devices reviewing the same
    agreement at once both stay in its history, in the order they arrived."""
    conversation = own_short(session, leader_id, conversation_id)
    service.own_open_conversation(session, leader_id, conversation_id)
    agreement = next(
        (a for a in agreements_to_review(session, conversation) if a.id == agreement_id), None
    )
    if agreement is None:
        raise NotFound()
    service.append_review(
        session,
        agreement,
        conversation_id=conversation.id,
        status=status,
        comment=comment,
        new_due=new_due,
        by_user_id=leader_id,
        now=now,
    )
    _mark_running(session, conversation, client)
    return agreement


@writes
def grow_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    data: service.AgreementInput,
    token: str = "",
    client: str = "",
) -> Agreement:
    """A new agreement that grows from a reviewed one (its new shape): kept in this session,
    linked to the one it came from."""
    conversation = own_short(session, leader_id, conversation_id)
    if agreement_id not in {a.id for a in agreements_to_review(session, conversation)}:
        raise NotFound()
    grown = service.add_agreement(
        session,
        leader_id=leader_id,
        conversation_id=conversation_id,
        data=data,
        token=token,
        client=client,
    )
    grown.grew_from_id = agreement_id
    session.add(grown)
    return grown


def _mark_running(session: Session, conversation: Conversation, client: str) -> None:
    if conversation.status == ConversationStatus.planned:
        conversation.status = ConversationStatus.running
        session.add(conversation)


@writes
def finish(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime
) -> Conversation:
    """`Finish follow-up` / `Finish check-in`: the "how is it going" card is needed; the
    reviews are optional (an agreement not reviewed keeps its status). A second tap changes
    nothing."""
    conversation = own_short(session, leader_id, conversation_id)
    if conversation.status == ConversationStatus.completed:
        return conversation
    service.own_open_conversation(session, leader_id, conversation_id)
    chosen = [p for p in service.picks_of(session, conversation, [STATUS_ROW]) if not p.removed]
    if not 1 <= len(chosen) <= service.status_card_limit(conversation):
        raise DomainError(N_("Pick a card for how it is going now before you finish."))
    # Put-back cards are not part of the record.
    for pick in service.picks_of(session, conversation, [STATUS_ROW]):
        if pick.removed:
            session.delete(pick)
    conversation.status = ConversationStatus.completed
    conversation.completed_at = now
    session.add(conversation)
    return conversation


@dataclass(frozen=True)
class SinceCard:
    """A card and note from a follow-up or check-in, for the next MUS's "Since last time"."""

    kind: str
    day: date
    title: str
    note: str


def since_last_time(session: Session, conversation: Conversation, lang: str) -> list[SinceCard]:
    """The follow-ups' and check-ins' cards and notes since the employee's previous MUS."""
    earlier = service.previous_conversation(session, conversation)
    query = (
        select(Conversation, Pick)
        .join(Pick, col(Pick.conversation_id) == col(Conversation.id))
        .where(
            Conversation.employee_id == conversation.employee_id,
            col(Conversation.kind).in_(list(SHORT_KINDS)),
            Conversation.status == ConversationStatus.completed,
            Pick.row == STATUS_ROW,
            col(Pick.removed).is_(False),
            col(Conversation.date) <= conversation.date,
        )
        .order_by(col(Conversation.date), col(Conversation.id), col(Pick.position))
    )
    if earlier is not None:
        query = query.where(col(Conversation.date) >= earlier.date)
    return [SinceCard(c.kind, c.date, p.title(lang), p.note) for c, p in session.exec(query)]
