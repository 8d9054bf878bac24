from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.errors import N_, DomainError


class ConversationStatus(StrEnum):
    planned = "planned"
    running = "running"
    completed = "completed"
    # Called off before it started, with the reason; kept, but never started or exported.
    cancelled = "cancelled"


class ConversationKind(StrEnum):
    """A full MUS, or one of the short sessions after it (DESIGN §1 "After it"): a follow-up of
    one MUS (``parent_id``) or a check-in between MUS. The short ones are conversations too, so
    the status-card picks, ownership, records and erasure need nothing of their own."""

    mus = "mus"
    followup = "followup"
    checkin = "checkin"


class Step(StrEnum):
    start = "start"
    status = "status"
    arbejdsglaede = "arbejdsglaede"
    feedback = "feedback"
    aftaler = "aftaler"
    slut = "slut"


class BoardRow(StrEnum):
    glad = "glad"
    less_glad = "less_glad"
    more_glad = "more_glad"


class Owner(StrEnum):
    employee = "employee"
    leader = "leader"
    both = "both"


class AgreementStatus(StrEnum):
    open = "open"
    done = "done"
    partly = "partly"
    not_done = "not_done"


STATUS_ROW = "status"  # Pick.row for a status card; board rows use BoardRow
# The picking steps' limits and the board's rows, below the areas: the conversation holds
# them, a deck's preview shows them.
MAX_STATUS_CARDS = 3
MAX_PER_ROW = 3
MAX_NOTE = 5000
MAX_AGREEMENT = 2000
MAX_AREA = 200
MAX_NAME = 200
MAX_PLACE = 200
MAX_CANCEL_REASON = 1000
# The six steps' default allotments added up (DESIGN §1: 5 + 10 + 25 + 10 + 15 + 5): the
# meeting's default length; a unit test holds it to app.conversations.steps.
DEFAULT_DURATION_MINUTES = 70
MAX_DURATION_MINUTES = 8 * 60


@dataclass(frozen=True)
class Limits:
    """The limits the services enforce, for the page to know them too: the forms' maxlength,
    and the tablet refusing a fourth card at once, without a round trip. One source for both."""

    status_cards: int = MAX_STATUS_CARDS
    per_row: int = MAX_PER_ROW
    note: int = MAX_NOTE
    agreement: int = MAX_AGREEMENT
    area: int = MAX_AREA
    name: int = MAX_NAME
    place: int = MAX_PLACE
    duration: int = MAX_DURATION_MINUTES
    agenda_minutes: int = DEFAULT_DURATION_MINUTES


LIMITS = Limits()


@dataclass(frozen=True)
class RowInfo:
    row: BoardRow
    name: str  # msgid: the region's accessible name
    question: str  # msgid: the question the row answers


# The names are the method's own (Glad, Mindre glad, Endnu mere glad), kept word for word in
# English as the rows' names; the questions are what an English speaker would ask.
ROWS: tuple[RowInfo, ...] = (
    RowInfo(BoardRow.glad, N_("Glad"), N_("What makes you happy at work?")),
    RowInfo(BoardRow.less_glad, N_("Less glad"), N_("What makes you less happy at work?")),
    RowInfo(
        BoardRow.more_glad,
        N_("Even more glad"),
        N_("What could make you even happier at work?"),
    ),
)


def employee_name(typed: str) -> str:
    """An employee's name as typed, with its spaces tidied; the same rule where a conversation
    is planned and where the employee list is edited."""
    name = " ".join(typed.split())
    if not name:
        raise DomainError(N_("Enter the employee's name."))
    if len(name) > MAX_NAME:
        raise DomainError(N_("The name is too long."))
    return name


class Employee(SQLModel, table=True):
    __tablename__ = "employees"

    id: int | None = Field(default=None, primary_key=True)
    leader_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=MAX_NAME)
    email: str = Field(default="", max_length=254)
    team: str = Field(default="", max_length=MAX_NAME)
    created_at: datetime = Field(default_factory=utcnow)


class EmployeeEvent(SQLModel, table=True):
    """The employee's history that is not a conversation: a handover from one leader to
    another, or a merge with a duplicate of the same person. The users are plain numbers,
    shown with their names while they exist."""

    __tablename__ = "employee_events"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employees.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(default="handover", max_length=20)
    from_user_id: int | None = None
    to_user_id: int | None = None
    by_user_id: int | None = None
    # A merge: the removed duplicate's name, the one thing of it that is gone afterwards.
    detail: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="", server_default="")
    )


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"

    id: int | None = Field(default=None, primary_key=True)
    leader_id: int = Field(foreign_key="users.id", index=True)
    employee_id: int = Field(foreign_key="employees.id", index=True)
    date: date
    # The meeting's time of day on ``date``, on the clock in Copenhagen (app.i18n.TIMEZONE),
    # as the leader typed it; None: no time yet. Kept apart from the date, which every list,
    # rule and record reads as the conversation's day.
    starts_at: time | None = None
    duration_minutes: int = DEFAULT_DURATION_MINUTES
    place: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The invitation's SEQUENCE (RFC 5545): one up with each move and with the cancelling, so
    # a calendar updates the event it has under the same UID instead of adding another.
    invitation_sequence: int = 0
    cancelled_at: datetime | None = None
    cancel_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str = Field(default="da", max_length=5)
    status: str = Field(default=ConversationStatus.planned, max_length=20, index=True)
    status_deck_id: int = Field(foreign_key="decks.id")
    inspiration_deck_id: int = Field(foreign_key="decks.id")
    current_step: str = Field(default=Step.start, max_length=20)
    # When the current step was opened; time spent is counted from here, so nobody runs a timer.
    step_since: datetime | None = None
    # Bumped by every change of cards or agreements, with the page (tab) that made it, so a
    # page from before another device's change can tell it is stale.
    revision: int = 0
    revision_client: str = Field(default="", max_length=64)
    note_glad: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    note_less_glad: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    note_more_glad: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    to_employee: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    to_leader: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    went_well: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    learned: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    suggestions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The employee's choice that the suggestions may be shared anonymously with management
    # (the organisation overview); off until they say so.
    suggestions_shareable: bool = False
    no_agreements: bool = False
    follow_up_date: dt.date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    # Set when a reopened conversation is finished again: the record then says "corrected on".
    corrected_at: datetime | None = None
    # What the organisation's settings were when it was planned (app.settings.snapshot, JSON):
    # a later change of texts, questions, allotments or focus areas never rewrites it.
    settings_snapshot: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    kind: str = Field(default=ConversationKind.mus, max_length=20, index=True)
    # A follow-up: the MUS it follows up. Kept a plain column pointing at conversations, and
    # deleted with it (the follow-up's record means nothing without the MUS).
    parent_id: int | None = Field(
        default=None, foreign_key="conversations.id", index=True, ondelete="CASCADE"
    )


class StepTime(SQLModel, table=True):
    __tablename__ = "step_times"
    __table_args__ = (UniqueConstraint("conversation_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    step: str = Field(max_length=20)
    seconds: int = 0


class Pick(SQLModel, table=True):
    """A card the employee chose: a status card or a card on the board, with a snapshot of
    the card as it was, so a later change to the deck never changes the record."""

    __tablename__ = "picks"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    card_id: int = Field(foreign_key="cards.id", index=True)
    row: str = Field(max_length=20)
    position: int = 0
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Unpicked or removed: kept until the step is left, so an accidental tap loses no note.
    removed: bool = False
    # When a card was taken off the board: its Undo works for a short while after.
    removed_at: datetime | None = None
    title_da: str = Field(max_length=200)
    title_en: str = Field(default="", max_length=200)
    alt_da: str = Field(default="", max_length=500)
    alt_en: str = Field(default="", max_length=500)
    image_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_da

    def alt(self, lang: str) -> str:
        return (self.alt_en if lang == "en" else self.alt_da) or self.title(lang)


class Agreement(SQLModel, table=True):
    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("conversation_id", "client_token"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(max_length=20)
    due: date | None = None
    strategic_area: str = Field(default="", max_length=200)
    # The focus area the name came from, for the overview; the name stays when it is archived.
    focus_area_id: int | None = Field(default=None, foreign_key="focus_areas.id", index=True)
    status: str = Field(default=AgreementStatus.open, max_length=20)
    follow_up_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewed_in_id: int | None = Field(default=None, foreign_key="conversations.id")
    # Made at a follow-up or check-in from an earlier agreement that needs a new shape.
    grew_from_id: int | None = Field(default=None, foreign_key="agreements.id", ondelete="SET NULL")
    # The form's one-time token: a double click on "Save agreement" saves it once.
    client_token: str | None = Field(default=None, max_length=64)
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    # Deleted, but kept for its Undo until the step is left or the conversation finished;
    # every read of a conversation's agreements leaves it out.
    deleted_at: datetime | None = None


class AgreementReview(SQLModel, table=True):
    """One review of an agreement: at the next MUS's Start step, a follow-up or a check-in.
    Appended, never overwritten: the agreement's history, oldest first by ``at`` and ``id``;
    ``Agreement.status`` keeps the latest for quick reads."""

    __tablename__ = "agreement_reviews"

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", index=True, ondelete="CASCADE")
    # The session it was reviewed in (a MUS, follow-up or check-in); None once that is gone.
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", index=True, ondelete="SET NULL"
    )
    at: datetime = Field(default_factory=utcnow)
    status: str = Field(max_length=20)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    new_due: date | None = None
    by_user_id: int | None = None


class AgreementCard(SQLModel, table=True):
    """The picked card(s) an agreement grew from."""

    __tablename__ = "agreement_cards"

    agreement_id: int = Field(foreign_key="agreements.id", primary_key=True, ondelete="CASCADE")
    pick_id: int = Field(foreign_key="picks.id", primary_key=True, ondelete="CASCADE")


class ConversationQuestion(SQLModel, table=True):
    """A question of the bank the leader chose for this person, copied from the conversation's
    snapshot so that no later edit of the bank changes it; ``marked``: one that matters most,
    which the employee sees on their preparation page. The leader's guide, never the record."""

    __tablename__ = "conversation_questions"
    __table_args__ = (UniqueConstraint("conversation_id", "step", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    step: str = Field(max_length=20)
    # The question's place among the step's questions in the snapshot: what identifies it
    # there (a conversation from before the settings has no bank ids), and its order.
    position: int = 0
    text_da: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    marked: bool = False

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_da


class ConversationFocusArea(SQLModel, table=True):
    """A strategic focus area the pair will talk about, with its name as it was chosen: an
    area archived or renamed afterwards stays on the conversation and its record as it was.
    ``focus_area_id`` is a plain number (no foreign key): an unused area may be deleted."""

    __tablename__ = "conversation_focus_areas"

    conversation_id: int = Field(
        foreign_key="conversations.id", primary_key=True, ondelete="CASCADE"
    )
    focus_area_id: int = Field(primary_key=True)
    position: int = 0
    name_da: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da
