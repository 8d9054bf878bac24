"""The conversation at the tablet: the six steps, cards, board, feedback and agreements.

Every function takes a Session and keyword-only values, checks ownership through one loader,
and is one transaction. Writes that change cards or agreements bump ``revision``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.conversations.steps import STEPS
from app.db import writes
from app.errors import N_, DomainError, NotFound
from app.i18n import TIMEZONE
from app.models import (
    Agreement,
    AgreementCard,
    AgreementReview,
    AgreementStatus,
    AuditEvent,
    BoardRow,
    Card,
    Conversation,
    ConversationKind,
    ConversationStatus,
    Deck,
    DeckPurpose,
    DeckStatus,
    Employee,
    FocusArea,
    Owner,
    Pick,
    Step,
    StepTime,
)
from app.models.conversations import (
    MAX_AGREEMENT,
    MAX_AREA,
    MAX_DURATION_MINUTES,
    MAX_NOTE,
    MAX_PLACE,
    STATUS_ROW,
    employee_name,
)
from app.models.conversations import MAX_PER_ROW as MAX_PER_ROW
from app.models.conversations import MAX_STATUS_CARDS as MAX_STATUS_CARDS
from app.settings import service as settings

MIN_STATUS_CARDS = 1
MIN_DURATION_MINUTES = 5
# How long a card taken off the board or a deleted agreement can be put back. The tablet shows
# its Undo for a few seconds; the server allows more, for a slow network or a second device.
UNDO_SECONDS = 30
FOLLOW_UP_MONTHS = 6
# A step left open over lunch should not count as hours of conversation.
MAX_STEP_INTERVAL = timedelta(hours=3)
FEEDBACK_FIELDS = ("to_employee", "to_leader", "went_well", "learned", "suggestions")
ROW_NOTE_FIELDS = {
    BoardRow.glad: "note_glad",
    BoardRow.less_glad: "note_less_glad",
    BoardRow.more_glad: "note_more_glad",
}


# ---------------------------------------------------------------- loading and checking


def own_conversation(session: Session, leader_id: int, conversation_id: int) -> Conversation:
    """The leader's own conversation; anyone else's is a 404, exactly like a missing one."""
    return _owned(session.get(Conversation, conversation_id), leader_id)


def _owned(conversation: Conversation | None, leader_id: int) -> Conversation:
    if conversation is None or conversation.leader_id != leader_id:
        raise NotFound()
    return conversation


def own_open_conversation(session: Session, leader_id: int, conversation_id: int) -> Conversation:
    conversation = own_conversation(session, leader_id, conversation_id)
    _check_open(conversation)
    return conversation


def _check_open(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.completed:
        raise DomainError(
            N_("This conversation is finished and can no longer be changed."), status_code=409
        )
    if conversation.status == ConversationStatus.cancelled:
        raise DomainError(
            N_("This conversation was cancelled and cannot be started or changed."),
            status_code=409,
        )


def check_fresh(conversation: Conversation, *, revision: int | None, client: str) -> None:
    """A page that has not seen another device's change is told to reload, so it cannot
    silently undo that change. The tab's own earlier writes do not count."""
    if revision is None:
        return
    if revision < conversation.revision and conversation.revision_client != client:
        raise DomainError(
            N_("The conversation was changed on another device. Reload the page to see it."),
            status_code=409,
            stale=True,
        )


# A tap is the app's most frequent write (DESIGN §8): its statements are built once.
_BUMP_REVISION = (
    update(Conversation)
    .where(col(Conversation.id) == bindparam("conversation_id"))
    .values(
        revision=col(Conversation.revision) + 1,
        revision_client=bindparam("client"),
        status=bindparam("status"),
    )
)


def _bump_revision(session: Session, conversation: Conversation, client: str) -> None:
    """After a change of cards or agreements: the revision that stale pages check goes up, in
    one UPDATE that adds one in SQL, so two writers on PostgreSQL cannot both write the same
    number. A planned conversation is running from its first change on."""
    status = conversation.status
    if status == ConversationStatus.planned:
        status = ConversationStatus.running
    session.flush()  # whatever else changed, first: the bump below is the last write
    session.connection().execute(
        _BUMP_REVISION,
        {"conversation_id": conversation.id, "client": client[:64], "status": status},
    )
    set_committed_value(conversation, "revision", conversation.revision + 1)
    set_committed_value(conversation, "revision_client", client[:64])
    set_committed_value(conversation, "status", status)


def check_text(text: str, *, limit: int = MAX_NOTE) -> str:
    if len(text) > limit:
        raise DomainError(
            N_("The text is too long: at most %(limit)d characters (it has %(n)d)."),
            limit=limit,
            n=len(text),
        )
    return text


# ---------------------------------------------------------------- employees and planning


def employees_of(session: Session, *, leader_id: int) -> list[Employee]:
    return list(
        session.exec(
            select(Employee).where(Employee.leader_id == leader_id).order_by(col(Employee.name))
        )
    )


def find_or_add_employee(session: Session, *, leader_id: int, name: str) -> Employee:
    name = employee_name(name)
    for employee in employees_of(session, leader_id=leader_id):
        if employee.name.casefold() == name.casefold():
            return employee
    employee = Employee(leader_id=leader_id, name=name)
    session.add(employee)
    session.flush()
    return employee


def published_decks(session: Session, purpose: DeckPurpose) -> list[Deck]:
    return list(
        session.exec(
            select(Deck)
            .where(Deck.purpose == purpose, Deck.status == DeckStatus.published)
            .order_by(col(Deck.is_default).desc(), col(Deck.id))
        )
    )


@writes
def create_conversation(
    session: Session,
    *,
    leader_id: int,
    employee_name: str,
    on: date,
    language: str,
    status_deck_id: int | None,
    inspiration_deck_id: int | None,
    starts_at: time | None = None,
    duration_minutes: int | None = None,
    place: str = "",
) -> Conversation:
    check_day(on)
    if duration_minutes is None:
        # The organisation's allotments added up, as the settings stand when it is planned.
        duration_minutes = agenda_minutes(session)
    meeting = check_meeting(starts_at=starts_at, duration_minutes=duration_minutes, place=place)
    employee = find_or_add_employee(session, leader_id=leader_id, name=employee_name)
    decks = {}
    preselected = settings.default_deck_ids(session)
    for purpose, chosen in (
        (DeckPurpose.status, status_deck_id),
        (DeckPurpose.inspiration, inspiration_deck_id),
    ):
        offered = published_decks(session, purpose)
        chosen = chosen or preselected[purpose.value]
        match = [d for d in offered if d.id == chosen] if chosen else offered[:1]
        if not match:
            raise DomainError(N_("Choose one of the offered card decks."))
        decks[purpose] = match[0]
    conversation = Conversation(
        leader_id=leader_id,
        employee_id=employee.id or 0,
        date=on,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        place=meeting.place,
        language=language if language in ("da", "en") else "da",
        status_deck_id=decks[DeckPurpose.status].id or 0,
        inspiration_deck_id=decks[DeckPurpose.inspiration].id or 0,
        follow_up_date=add_months(on, FOLLOW_UP_MONTHS),
        # What the organisation's settings are now, kept for this conversation (issue 15).
        settings_snapshot=settings.snapshot_json(session),
    )
    session.add(conversation)
    session.flush()
    return conversation


# Dates a conversation, a deadline or a follow-up may have: a mistyped year (9999, 0001) is
# refused here instead of breaking the date arithmetic and calendar export later.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_day(day: date | None) -> None:
    """A date within FIRST_YEAR..LAST_YEAR, or none."""
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(
            N_("Choose a date between the years %(first)d and %(last)d."),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )


@dataclass(frozen=True)
class Meeting:
    """When and where the pair meet, checked: the same rules where a conversation is planned
    and where it is moved (app.conversations.planning)."""

    starts_at: time | None
    duration_minutes: int
    place: str


def agenda_minutes(session: Session) -> int:
    """The six steps' allotments in the settings now: a new meeting's length unless chosen."""
    return sum(settings.current(session).minutes.values())


def check_meeting(*, starts_at: time | None, duration_minutes: int | None, place: str) -> Meeting:
    """A time of day or none, a duration of a few minutes to a working day (empty: the six
    steps' allotments added up), and a place of one line or none."""
    if duration_minutes is None:
        duration_minutes = sum(info.minutes for info in STEPS)
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        raise DomainError(
            N_("Choose a duration between %(min)d and %(max)d minutes."),
            min=MIN_DURATION_MINUTES,
            max=MAX_DURATION_MINUTES,
        )
    place = " ".join(place.split())
    if len(place) > MAX_PLACE:
        raise DomainError(
            N_("The place is too long: at most %(limit)d characters."), limit=MAX_PLACE
        )
    # Seconds on a meeting's time are noise from a form or a client: whole minutes.
    at = starts_at.replace(second=0, microsecond=0, tzinfo=None) if starts_at else None
    return Meeting(starts_at=at, duration_minutes=duration_minutes, place=place)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- steps and time


@writes
def open_step(
    session: Session, *, leader_id: int, conversation_id: int, step: Step, now: datetime
) -> Conversation:
    """Opening a step stops the clock of the one before; time is counted on the server, so a
    reload or a second device keeps the count. Every opening is a view of the conversation,
    in the audit log (DESIGN §6): one INSERT in the write the step makes anyway."""
    conversation = _open_step(session, leader_id, conversation_id, step, now)
    # The entry records.audit.log() would write (see reopen_conversation). Ids only.
    session.add(
        AuditEvent(
            at=now,
            user_id=leader_id,
            actor="user",
            action="view",
            format=step,
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
        )
    )
    return conversation


def _open_step(
    session: Session, leader_id: int, conversation_id: int, step: Step, now: datetime
) -> Conversation:
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status in (ConversationStatus.completed, ConversationStatus.cancelled):
        return conversation
    if conversation.current_step == step and conversation.step_since is not None:
        return conversation
    _stop_clock(session, conversation, now)
    leaving = Step(conversation.current_step)
    # A reload of the step whose clock is stopped (a reopened conversation) is not leaving it:
    # what was taken off can still be put back.
    if leaving != step:
        if leaving == Step.status:
            _forget_removed(session, conversation, rows=[STATUS_ROW])
        elif leaving == Step.arbejdsglaede:
            _forget_removed(session, conversation, rows=list(BoardRow))
        elif leaving == Step.aftaler:
            _forget_deleted_agreements(session, conversation)
    conversation.current_step = step
    if conversation.status == ConversationStatus.planned and step != Step.start:
        # The first change of step starts the conversation, as Start conversation does.
        conversation.status = ConversationStatus.running
    if conversation.status == ConversationStatus.planned:
        pass  # a leader looking at a planned conversation: the clock waits for the pair
    elif conversation.completed_at is None:
        conversation.step_since = now
    # else reopened for corrections: the conversation was held already, and mending its record
    # is not talking time, so the clock stays stopped.
    session.add(conversation)
    return conversation


@writes
def start_conversation(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime
) -> Conversation:
    """Start conversation: the pair begins, and the agenda's clock with them, on the step that
    is open. Until then (or the first change of step) a planned conversation's clock stands
    still, however long the leader looks at it. A double tap changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    if conversation.status != ConversationStatus.planned:
        return conversation
    conversation.status = ConversationStatus.running
    conversation.step_since = now
    session.add(conversation)
    return conversation


def _stop_clock(session: Session, conversation: Conversation, now: datetime) -> None:
    if conversation.step_since is None:
        return
    spent = min(max(now - conversation.step_since, timedelta(0)), MAX_STEP_INTERVAL)
    row = session.exec(
        select(StepTime).where(
            StepTime.conversation_id == conversation.id,
            StepTime.step == conversation.current_step,
        )
    ).first()
    if row is None:
        row = StepTime(conversation_id=conversation.id or 0, step=conversation.current_step)
    row.seconds += int(spent.total_seconds())
    session.add(row)
    conversation.step_since = None


def _forget_removed(session: Session, conversation: Conversation, *, rows: list[str]) -> None:
    """Unpicked cards keep their note while the step is open; leaving the step lets go."""
    for pick in session.exec(
        select(Pick).where(
            Pick.conversation_id == conversation.id,
            col(Pick.row).in_(rows),
            col(Pick.removed).is_(True),
        )
    ):
        linked = session.exec(select(AgreementCard).where(AgreementCard.pick_id == pick.id)).all()
        for link in linked:
            session.delete(link)
        session.delete(pick)


def seconds_per_step(session: Session, conversation: Conversation, now: datetime) -> dict[str, int]:
    spent = {info.step.value: 0 for info in STEPS}
    for row in session.exec(select(StepTime).where(StepTime.conversation_id == conversation.id)):
        spent[row.step] = row.seconds
    if conversation.step_since is not None:
        running = min(max(now - conversation.step_since, timedelta(0)), MAX_STEP_INTERVAL)
        spent[conversation.current_step] += int(running.total_seconds())
    return spent


# ---------------------------------------------------------------- cards


def _deck_card(session: Session, deck_id: int, card_id: int) -> Card:
    return _checked_card(session.get(Card, card_id), deck_id)


def _checked_card(card: Card | None, deck_id: int) -> Card:
    if card is None or card.deck_id != deck_id or card.retired_at is not None:
        raise DomainError(N_("That card is not in this conversation's deck."))
    return card


_CONVERSATION_WITH_STATUS_CARD = (
    select(Conversation, Card)
    .outerjoin(
        Card,
        and_(
            col(Card.id) == bindparam("card_id"),
            col(Card.deck_id) == col(Conversation.status_deck_id),
        ),
    )
    .where(col(Conversation.id) == bindparam("conversation_id"))
)
_STATUS_PICKS = (
    select(Pick)
    .where(col(Pick.conversation_id) == bindparam("conversation_id"), Pick.row == STATUS_ROW)
    .order_by(col(Pick.position), col(Pick.id))
)


def _open_conversation_with_status_card(
    session: Session, leader_id: int, conversation_id: int, card_id: int
) -> tuple[Conversation, Card]:
    """own_open_conversation() and _deck_card() for the status deck in one query."""
    row = session.exec(
        _CONVERSATION_WITH_STATUS_CARD,
        params={"conversation_id": conversation_id, "card_id": card_id},
    ).first()
    found, card = row if row is not None else (None, None)
    conversation = _owned(found, leader_id)
    _check_open(conversation)
    return conversation, _checked_card(card, conversation.status_deck_id)


def picks_of(session: Session, conversation: Conversation, rows: list[str]) -> list[Pick]:
    """The conversation's picks in ``rows``, in their order; put-back ones too (``removed``)."""
    return list(
        session.exec(
            select(Pick)
            .where(Pick.conversation_id == conversation.id, col(Pick.row).in_(rows))
            .order_by(col(Pick.position), col(Pick.id))
        )
    )


def _snapshot(card: Card, conversation: Conversation, row: str, position: int) -> Pick:
    return Pick(
        conversation_id=conversation.id or 0,
        card_id=card.id or 0,
        row=row,
        position=position,
        title_da=card.title_da,
        title_en=card.title_en,
        alt_da=card.alt_da,
        alt_en=card.alt_en,
        image_sha256=card.image_sha256,
    )


def status_card_limit(conversation: Conversation) -> int:
    """A follow-up asks one thing, "how is it going now?": one card; a MUS or check-in 1–3."""
    return 1 if conversation.kind == ConversationKind.followup else MAX_STATUS_CARDS


@dataclass(frozen=True)
class StatusPicked:
    """What a tap changed, handed on so the answer needs no second round of queries."""

    conversation: Conversation
    card: Card
    picks: list[Pick]
    pick: Pick | None


@writes
def tap_status_card(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    card_id: int,
    picked: bool,
    revision: int | None = None,
    client: str = "",
) -> StatusPicked:
    """Pick or unpick a status card. The wanted state is sent, not a toggle, so a double tap
    changes nothing; an unpicked card keeps its note until the step is left."""
    conversation, card = _open_conversation_with_status_card(
        session, leader_id, conversation_id, card_id
    )
    check_fresh(conversation, revision=revision, client=client)
    picks = list(session.exec(_STATUS_PICKS, params={"conversation_id": conversation_id}))
    pick = next((p for p in picks if p.card_id == card.id), None)
    active = [p for p in picks if not p.removed]
    if picked:
        if pick is not None and not pick.removed:
            return StatusPicked(conversation, card, picks, pick)
        limit = status_card_limit(conversation)
        if len(active) >= limit:
            raise DomainError(
                N_("Pick at most %(n)d cards. Tap a chosen card to put it back first."),
                n=limit,
            )
        position = max((p.position for p in picks), default=0) + 1
        if pick is None:
            pick = _snapshot(card, conversation, STATUS_ROW, position)
            picks.append(pick)
            session.add(pick)
        else:
            pick.removed, pick.position = False, position
    else:
        if pick is None or pick.removed:
            return StatusPicked(conversation, card, picks, pick)
        pick.removed = True
    _bump_revision(session, conversation, client)
    picks.sort(key=lambda p: (p.position, p.id or 0))
    return StatusPicked(conversation, card, picks, pick)


def set_status_card(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    card_id: int,
    picked: bool,
    revision: int | None = None,
    client: str = "",
) -> Pick | None:
    return tap_status_card(
        session,
        leader_id=leader_id,
        conversation_id=conversation_id,
        card_id=card_id,
        picked=picked,
        revision=revision,
        client=client,
    ).pick


def _mark_running(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.planned:
        conversation.status = ConversationStatus.running


def _own_pick(session: Session, conversation: Conversation, pick_id: int) -> Pick:
    pick = session.get(Pick, pick_id)
    if pick is None or pick.conversation_id != conversation.id:
        raise NotFound()
    return pick


@writes
def set_pick_note(
    session: Session, *, leader_id: int, conversation_id: int, pick_id: int, note: str
) -> Pick:
    """Notes are saved field by field: the later write wins, nothing else is touched."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    pick = _own_pick(session, conversation, pick_id)
    pick.note = check_text(note)
    session.add(pick)
    return pick


@writes
def place_card(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    card_id: int,
    row: BoardRow,
    revision: int | None = None,
    client: str = "",
) -> Pick:
    """A card appears once on the board; a row holds at most three."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    check_fresh(conversation, revision=revision, client=client)
    card = _deck_card(session, conversation.inspiration_deck_id, card_id)
    picks = picks_of(session, conversation, list(BoardRow))
    existing = next((p for p in picks if p.card_id == card.id), None)
    if existing is not None and not existing.removed:
        if existing.row == row:
            return existing  # a double tap
        raise DomainError(N_("That card is already on the board. Move it instead."))
    _check_room(picks, row)
    pick = existing or _snapshot(card, conversation, row, 0)
    pick.row = row
    pick.removed, pick.removed_at = False, None
    pick.position = max((p.position for p in picks), default=0) + 1
    session.add(pick)
    _bump_revision(session, conversation, client)
    # expire_on_commit=False: the pick is current, no SELECT needed to read it back.
    return pick


def _check_room(picks: list[Pick], row: BoardRow) -> None:
    if sum(1 for p in picks if p.row == row and not p.removed) >= MAX_PER_ROW:
        raise DomainError(
            N_("A row holds at most %(n)d cards. Move or remove one first."), n=MAX_PER_ROW
        )


@writes
def move_pick(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    pick_id: int,
    row: BoardRow,
    revision: int | None = None,
    client: str = "",
) -> Pick:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    check_fresh(conversation, revision=revision, client=client)
    pick = _own_pick(session, conversation, pick_id)
    if pick.row not in set(BoardRow) or pick.removed:
        raise DomainError(N_("That card is no longer on the board."))
    if pick.row == row:
        return pick
    board = picks_of(session, conversation, list(BoardRow))
    _check_room(board, row)
    pick.row = row
    pick.position = max((p.position for p in board if p.row == row), default=0) + 1
    session.add(pick)
    _bump_revision(session, conversation, client)
    return pick


@writes
def remove_pick(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    pick_id: int,
    now: datetime,
    revision: int | None = None,
    client: str = "",
) -> Pick:
    """Taking a card off the board keeps it, its row, place and note, for its Undo."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    check_fresh(conversation, revision=revision, client=client)
    pick = _own_pick(session, conversation, pick_id)
    if not pick.removed:
        pick.removed, pick.removed_at = True, now
        session.add(pick)
        _bump_revision(session, conversation, client)
    return pick


@writes
def restore_pick(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    pick_id: int,
    now: datetime,
    revision: int | None = None,
    client: str = "",
) -> Pick:
    """Undo of taking a card off the board: the same card back in its row and place, with its
    note, for UNDO_SECONDS after, while the row has room. A second tap on Undo, or a card put
    on the board again meanwhile, changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    check_fresh(conversation, revision=revision, client=client)
    pick = session.get(Pick, pick_id)
    if pick is None:
        # Let go when the step was left: nothing is left to put back.
        raise DomainError(_TOO_LATE_FOR_THE_CARD, n=UNDO_SECONDS)
    if pick.conversation_id != conversation.id or pick.row not in set(BoardRow):
        raise NotFound()
    if not pick.removed:
        return pick
    if not _within_undo(pick.removed_at, now):
        raise DomainError(_TOO_LATE_FOR_THE_CARD, n=UNDO_SECONDS)
    board = picks_of(session, conversation, list(BoardRow))
    if sum(1 for p in board if p.row == pick.row and not p.removed) >= MAX_PER_ROW:
        raise DomainError(
            N_(
                "The card's row is full now, so it cannot go back. "
                "Move or remove a card there first."
            )
        )
    pick.removed, pick.removed_at = False, None
    session.add(pick)
    _bump_revision(session, conversation, client)
    return pick


_TOO_LATE_FOR_THE_CARD = N_(
    "Too late to undo: the card was taken off more than %(n)d seconds ago. "
    "Place it on the board again."
)


def _within_undo(since: datetime | None, now: datetime) -> bool:
    return since is not None and now - _aware(since) <= timedelta(seconds=UNDO_SECONDS)


@writes
def set_row_note(
    session: Session, *, leader_id: int, conversation_id: int, row: BoardRow, note: str
) -> None:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    setattr(conversation, ROW_NOTE_FIELDS[row], check_text(note))
    session.add(conversation)


@writes
def set_feedback(
    session: Session, *, leader_id: int, conversation_id: int, field: str, text: str
) -> None:
    if field not in FEEDBACK_FIELDS:
        raise NotFound()
    conversation = own_open_conversation(session, leader_id, conversation_id)
    setattr(conversation, field, check_text(text))
    _mark_running(conversation)
    session.add(conversation)


@writes
def set_suggestions_shareable(
    session: Session, *, leader_id: int, conversation_id: int, shareable: bool
) -> None:
    """The employee's choice that their suggestions may be shared anonymously with management
    (the organisation overview); off until they say so, and they may take it back while the
    conversation is open. A double tap changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    conversation.suggestions_shareable = shareable
    _mark_running(conversation)
    session.add(conversation)


# ---------------------------------------------------------------- agreements


@dataclass(frozen=True)
class AgreementInput:
    text: str
    owner: str
    due: date | None
    strategic_area: str
    pick_ids: tuple[int, ...]
    # One of the conversation's focus areas (its snapshot's); its name becomes the agreement's
    # strategic area. Without one, ``strategic_area`` is kept as typed (older conversations).
    focus_area_id: int | None = None


def _checked_agreement(
    session: Session, conversation: Conversation, data: AgreementInput
) -> AgreementInput:
    text = data.text.strip()
    if not text:
        raise DomainError(N_("Write what you agree on."))
    check_text(text, limit=MAX_AGREEMENT)
    if data.owner not in set(Owner):
        raise DomainError(N_("Choose who is responsible: the employee, the leader or both."))
    check_day(data.due)
    area = data.strategic_area.strip()
    focus_area_id = None
    if data.focus_area_id is not None:
        offered = settings.conversation_settings(conversation).focus_area(data.focus_area_id)
        if offered is None:
            raise DomainError(N_("Choose one of the offered strategic areas."))
        area = offered.name(conversation.language)
        # The name is kept whatever happens to the area; the link only while it exists.
        if session.get(FocusArea, offered.id) is not None:
            focus_area_id = offered.id
    if len(area) > MAX_AREA:
        raise DomainError(N_("The strategic focus area is too long."))
    for pick_id in data.pick_ids:
        pick = _own_pick(session, conversation, pick_id)
        if pick.removed:
            raise DomainError(N_("That card is no longer chosen."))
    return AgreementInput(
        text, data.owner, data.due, area, tuple(dict.fromkeys(data.pick_ids)), focus_area_id
    )


@writes
def add_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    data: AgreementInput,
    token: str = "",
    client: str = "",
) -> Agreement:
    """Agreements need a text and a responsible party. The form's token makes a double
    submit save one agreement, not two."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    if token:
        # Deleted ones too: the token is unique per conversation, and a double submit that
        # arrives after a delete must not save the agreement again.
        earlier = session.exec(
            select(Agreement).where(
                Agreement.conversation_id == conversation.id, Agreement.client_token == token
            )
        ).first()
        if earlier is not None:
            return earlier
    data = _checked_agreement(session, conversation, data)
    count = len(agreements_of(session, conversation))
    agreement = Agreement(
        conversation_id=conversation.id or 0,
        text=data.text,
        owner=data.owner,
        due=data.due,
        strategic_area=data.strategic_area,
        focus_area_id=data.focus_area_id,
        client_token=token[:64] or None,
        position=count,
    )
    session.add(agreement)
    session.flush()
    for pick_id in data.pick_ids:
        session.add(AgreementCard(agreement_id=agreement.id or 0, pick_id=pick_id))
    conversation.no_agreements = False
    _bump_revision(session, conversation, client)
    return agreement


def _own_agreement(session: Session, conversation: Conversation, agreement_id: int) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if (
        agreement is None
        or agreement.conversation_id != conversation.id
        or agreement.deleted_at is not None
    ):
        raise NotFound()
    return agreement


@writes
def edit_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    data: AgreementInput,
    client: str = "",
) -> Agreement:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    agreement = _own_agreement(session, conversation, agreement_id)
    data = _checked_agreement(session, conversation, data)
    agreement.text, agreement.owner, agreement.due = data.text, data.owner, data.due
    agreement.strategic_area, agreement.focus_area_id = data.strategic_area, data.focus_area_id
    for link in session.exec(
        select(AgreementCard).where(AgreementCard.agreement_id == agreement.id)
    ):
        session.delete(link)
    session.flush()
    for pick_id in data.pick_ids:
        session.add(AgreementCard(agreement_id=agreement.id or 0, pick_id=pick_id))
    session.add(agreement)
    _bump_revision(session, conversation, client)
    return agreement


@writes
def delete_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    now: datetime,
    client: str = "",
) -> Agreement | None:
    """A deleted agreement is kept, left out of every read, for its Undo, until the step is
    left or the conversation finished. A second tap changes nothing; None when it is gone."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        return None  # let go already: a late second tap on delete
    if agreement.conversation_id != conversation.id:
        raise NotFound()
    if agreement.deleted_at is None:
        agreement.deleted_at = now
        session.add(agreement)
        _bump_revision(session, conversation, client)
    return agreement


@writes
def restore_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    now: datetime,
    client: str = "",
) -> Agreement:
    """Undo of deleting an agreement: it comes back as it was, in its place and with its
    cards, for UNDO_SECONDS after. A second tap on Undo changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise DomainError(_TOO_LATE_FOR_THE_AGREEMENT, n=UNDO_SECONDS)
    if agreement.conversation_id != conversation.id:
        raise NotFound()
    if agreement.deleted_at is None:
        return agreement
    if not _within_undo(agreement.deleted_at, now):
        raise DomainError(_TOO_LATE_FOR_THE_AGREEMENT, n=UNDO_SECONDS)
    agreement.deleted_at = None
    session.add(agreement)
    # "No agreements this time" may have been ticked after the delete; now there is one.
    conversation.no_agreements = False
    _bump_revision(session, conversation, client)
    return agreement


_TOO_LATE_FOR_THE_AGREEMENT = N_(
    "Too late to undo: the agreement was deleted more than %(n)d seconds ago. "
    "Add it again if you need it."
)


def _forget_deleted_agreements(session: Session, conversation: Conversation) -> None:
    """Deleted agreements are let go when the Agreements step is left or the conversation
    finished, as cards taken off are when their step is left: by then no Undo is on screen."""
    for agreement in session.exec(
        select(Agreement).where(
            Agreement.conversation_id == conversation.id, col(Agreement.deleted_at).is_not(None)
        )
    ):
        session.delete(agreement)


@writes
def set_no_agreements(
    session: Session, *, leader_id: int, conversation_id: int, value: bool
) -> None:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    if value and agreements_of(session, conversation):
        raise DomainError(N_("There are agreements already. Delete them first."))
    conversation.no_agreements = value
    session.add(conversation)


def cards_of_agreements(session: Session, agreements: list[Agreement]) -> dict[int, list[Pick]]:
    """The picks each agreement grew from, by agreement id, in one query."""
    links: dict[int, list[Pick]] = {a.id or 0: [] for a in agreements}
    if links:
        for link, pick in session.exec(
            select(AgreementCard, Pick)
            .where(col(AgreementCard.agreement_id).in_(list(links)))
            .where(AgreementCard.pick_id == Pick.id)
        ):
            links[link.agreement_id].append(pick)
    return links


def agreements_of(session: Session, conversation: Conversation) -> list[Agreement]:
    """The conversation's agreements in order, without deleted ones (kept for their Undo):
    every screen and export reads them here."""
    return list(
        session.exec(
            select(Agreement)
            .where(Agreement.conversation_id == conversation.id)
            .where(col(Agreement.deleted_at).is_(None))
            .order_by(col(Agreement.position), col(Agreement.id))
        )
    )


# ---------------------------------------------------------------- earlier agreements


def previous_conversation(session: Session, conversation: Conversation) -> Conversation | None:
    """The employee's last completed conversation before this one."""
    return session.exec(
        select(Conversation)
        .where(
            Conversation.employee_id == conversation.employee_id,
            Conversation.status == ConversationStatus.completed,
            # Follow-ups and check-ins review agreements; they hold none of the MUS's own.
            Conversation.kind == ConversationKind.mus,
            Conversation.id != conversation.id,
            col(Conversation.date) <= conversation.date,
        )
        .order_by(col(Conversation.date).desc(), col(Conversation.id).desc())
    ).first()


def previous_agreements(session: Session, conversation: Conversation) -> list[Agreement]:
    earlier = previous_conversation(session, conversation)
    return agreements_of(session, earlier) if earlier else []


REVIEW_STATUSES = (AgreementStatus.done, AgreementStatus.partly, AgreementStatus.not_done)


def append_review(
    session: Session,
    agreement: Agreement,
    *,
    conversation_id: int | None,
    status: str,
    comment: str,
    by_user_id: int | None,
    new_due: date | None = None,
    now: datetime | None = None,
) -> AgreementReview:
    """One more entry in the agreement's history, wherever it was reviewed: the history is
    only ever appended to, so two devices reviewing at once both stay in it, in order.
    ``Agreement.status`` and its comment keep the latest for quick reads."""
    if status not in REVIEW_STATUSES:
        raise DomainError(N_("Choose done, partly done or not done."))
    check_day(new_due)
    review = AgreementReview(
        agreement_id=agreement.id or 0,
        conversation_id=conversation_id,
        status=status,
        comment=check_text(comment),
        new_due=new_due,
        by_user_id=by_user_id,
    )
    if now is not None:
        review.at = now
    session.add(review)
    agreement.status = status
    agreement.follow_up_comment = review.comment
    agreement.reviewed_in_id = conversation_id
    if new_due is not None:
        agreement.due = new_due
    session.add(agreement)
    session.flush()
    return review


def history_of(session: Session, agreements: list[Agreement]) -> dict[int, list[AgreementReview]]:
    """Each agreement's reviews, oldest first; an agreement never reviewed has an empty list."""
    history: dict[int, list[AgreementReview]] = {a.id or 0: [] for a in agreements}
    if history:
        for review in session.exec(
            select(AgreementReview)
            .where(col(AgreementReview.agreement_id).in_(list(history)))
            .order_by(col(AgreementReview.at), col(AgreementReview.id))
        ):
            history[review.agreement_id].append(review)
    return history


@writes
def review_agreement(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    agreement_id: int,
    status: str,
    comment: str,
) -> Agreement:
    """Follow-up of an earlier agreement at the next MUS's Start step, saved as it is typed.
    The history gets one entry for this conversation: while it is the latest, typing on
    amends it (a pause in typing is no review of its own); a review made elsewhere since
    then is kept, and this one is appended after it."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement not in previous_agreements(session, conversation):
        raise NotFound()
    entries = history_of(session, [agreement])[agreement.id or 0]
    if entries and entries[-1].conversation_id == conversation.id:
        if status not in REVIEW_STATUSES:
            raise DomainError(N_("Choose done, partly done or not done."))
        latest = entries[-1]
        latest.status, latest.comment = status, check_text(comment)
        session.add(latest)
        agreement.status, agreement.follow_up_comment = status, latest.comment
        session.add(agreement)
        return agreement
    append_review(
        session,
        agreement,
        conversation_id=conversation.id,
        status=status,
        comment=comment,
        by_user_id=leader_id,
    )
    return agreement


# ---------------------------------------------------------------- finishing


@writes
def set_follow_up_date(
    session: Session, *, leader_id: int, conversation_id: int, day: date | None
) -> None:
    conversation = own_open_conversation(session, leader_id, conversation_id)
    check_day(day)
    if day is not None and day < conversation.date:
        raise DomainError(N_("The follow-up date must come after the conversation."))
    conversation.follow_up_date = day
    session.add(conversation)


@writes
def finish_conversation(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime
) -> Conversation:
    """Completed is read-only, so the record must be whole: status cards and agreements. A
    second tap on Finish (a double tap, or the answer to the first still on its way) changes
    nothing and is not told that the conversation is finished."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status == ConversationStatus.completed:
        return conversation
    _check_open(conversation)  # a cancelled one
    chosen = [p for p in picks_of(session, conversation, [STATUS_ROW]) if not p.removed]
    if not MIN_STATUS_CARDS <= len(chosen) <= MAX_STATUS_CARDS:
        raise DomainError(
            N_("Pick %(min)d to %(max)d status cards before you finish."),
            min=MIN_STATUS_CARDS,
            max=MAX_STATUS_CARDS,
        )
    if not agreements_of(session, conversation) and not conversation.no_agreements:
        raise DomainError(
            N_('Add at least one agreement, or choose "No agreements this time", first.')
        )
    _stop_clock(session, conversation, now)
    _forget_removed(session, conversation, rows=[STATUS_ROW, *BoardRow])
    _forget_deleted_agreements(session, conversation)
    conversation.status = ConversationStatus.completed
    if conversation.completed_at is None:
        conversation.completed_at = now
    else:
        # Finished again after a reopening: the record says when it was corrected, and the
        # time to reopen it still counts from the first finish.
        conversation.corrected_at = now
    session.add(conversation)
    return conversation


def last_day_to_reopen(conversation: Conversation, *, reopen_days: int) -> date | None:
    """The last day (in Copenhagen) on which a finished conversation can be reopened for
    corrections: ``reopen_days`` after it was first finished. A whole day, so that "until
    15 December" on the screen holds all that day. None when it was never finished or
    reopening is off."""
    if conversation.completed_at is None or reopen_days <= 0:
        return None
    return _aware(conversation.completed_at).astimezone(TIMEZONE).date() + timedelta(
        days=reopen_days
    )


def can_reopen(conversation: Conversation, *, reopen_days: int, now: datetime) -> bool:
    last_day = last_day_to_reopen(conversation, reopen_days=reopen_days)
    return (
        conversation.status == ConversationStatus.completed
        and last_day is not None
        and now.astimezone(TIMEZONE).date() <= last_day
    )


@writes
def reopen_conversation(
    session: Session, *, leader_id: int, conversation_id: int, now: datetime, reopen_days: int
) -> Conversation:
    """Its leader may reopen a finished conversation to correct it, for ``reopen_days`` after
    it was finished; the audit log keeps that it was reopened (DESIGN §1). A double tap
    changes nothing."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status != ConversationStatus.completed:
        return conversation
    if not can_reopen(conversation, reopen_days=reopen_days, now=now):
        raise DomainError(
            N_("It is too late to reopen this conversation: the time for corrections is over."),
            status_code=409,
        )
    conversation.status = ConversationStatus.running
    session.add(conversation)
    # The entry records.audit.log() would write; app.records stands above this area
    # (docs/architecture.md), so the table is written here directly. Ids only, no words.
    session.add(
        AuditEvent(
            at=now,
            user_id=leader_id,
            actor="user",
            action="reopen",
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
        )
    )
    return conversation


def _aware(moment: datetime) -> datetime:
    # A column without a time zone may come back without one: it holds UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
