"""The organisation's conversation settings (DESIGN §2, facilitators) and a conversation's
snapshot of them (DESIGN §1: a later change never rewrites a planned, running or finished
conversation or its record).

Reading: ``current(session)`` is what is in force today, ``snapshot(session)`` its JSON form
that a conversation keeps, ``conversation_settings(conversation)`` what a conversation shows.
Writing: the facilitator's changes, each one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text as sql
from sqlmodel import Session, col, func, select

from app.db import engine_of, write_transaction, writes
from app.errors import N_, DomainError, NotFound
from app.models import (
    Agreement,
    BankQuestion,
    Conversation,
    ConversationText,
    Deck,
    DeckPurpose,
    DeckStatus,
    FocusArea,
    Step,
)
from app.models.settings import MAX_AREA_NAME, MAX_DESCRIPTION, MAX_QUESTION, MAX_TEXT
from app.settings import defaults

MIN_MINUTES, MAX_MINUTES = 1, 120
STEP_ORDER: tuple[str, ...] = tuple(step.value for step in Step)
SNAPSHOT_VERSION = 1


# ---------------------------------------------------------------- what a conversation reads


@dataclass(frozen=True)
class FocusAreaRef:
    id: int
    name_da: str
    name_en: str
    description_da: str = ""
    description_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" and self.description_en else self.description_da


@dataclass(frozen=True)
class QuestionRef:
    id: int
    text_da: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_da


@dataclass(frozen=True)
class ConversationSettings:
    """What one conversation reads from the organisation's settings, as they were when it
    was planned (or today's defaults, for a conversation from before settings existed)."""

    intro_da: str
    intro_en: str
    appreciative_da: tuple[str, ...]
    appreciative_en: tuple[str, ...]
    minutes: Mapping[str, int]
    focus_areas: tuple[FocusAreaRef, ...] = ()
    bank: Mapping[str, tuple[QuestionRef, ...]] = field(default_factory=dict)

    def intro(self, lang: str) -> tuple[str, ...]:
        """The introduction's paragraphs, as typed with a blank line between them."""
        text = self.intro_en if lang == "en" and self.intro_en.strip() else self.intro_da
        return tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip())

    def appreciative(self, lang: str) -> tuple[str, ...]:
        if lang == "en" and self.appreciative_en:
            return self.appreciative_en
        return self.appreciative_da

    def questions(self, step: str, lang: str) -> tuple[str, ...]:
        return tuple(q.text(lang) for q in self.bank.get(step, ()))

    def minutes_for(self, step: str) -> int:
        return self.minutes.get(step, defaults.MINUTES.get(step, 5))

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes_for(step) for step in STEP_ORDER)

    def focus_area(self, area_id: int) -> FocusAreaRef | None:
        return next((a for a in self.focus_areas if a.id == area_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "intro": {"da": self.intro_da, "en": self.intro_en},
            "appreciative": {"da": list(self.appreciative_da), "en": list(self.appreciative_en)},
            "minutes": {step: self.minutes_for(step) for step in STEP_ORDER},
            "focus_areas": [
                {
                    "id": a.id,
                    "name_da": a.name_da,
                    "name_en": a.name_en,
                    "description_da": a.description_da,
                    "description_en": a.description_en,
                }
                for a in self.focus_areas
            ],
            "bank": {
                step: [{"id": q.id, "da": q.text_da, "en": q.text_en} for q in questions]
                for step, questions in self.bank.items()
            },
        }


def built_in() -> ConversationSettings:
    """The defaults written for this product, without anything the organisation stored."""
    return ConversationSettings(
        intro_da=defaults.intro("da"),
        intro_en=defaults.intro("en"),
        appreciative_da=tuple(da for da, _ in defaults.APPRECIATIVE),
        appreciative_en=tuple(en for _, en in defaults.APPRECIATIVE),
        minutes=dict(defaults.MINUTES),
        bank={
            step: tuple(QuestionRef(0, da, en) for da, en in questions)
            for step, questions in defaults.BANK.items()
        },
    )


def from_snapshot(data: Mapping[str, Any]) -> ConversationSettings:
    """A stored snapshot read back; what it lacks comes from the built-in defaults."""
    base = built_in()
    intro = data.get("intro") or {}
    appreciative = data.get("appreciative") or {}
    minutes = {**base.minutes, **{k: int(v) for k, v in (data.get("minutes") or {}).items()}}
    return ConversationSettings(
        intro_da=str(intro.get("da", base.intro_da)),
        intro_en=str(intro.get("en", base.intro_en)),
        appreciative_da=tuple(appreciative.get("da", base.appreciative_da)),
        appreciative_en=tuple(appreciative.get("en", base.appreciative_en)),
        minutes=minutes,
        focus_areas=tuple(
            FocusAreaRef(
                id=int(a["id"]),
                name_da=str(a.get("name_da", "")),
                name_en=str(a.get("name_en", "")),
                description_da=str(a.get("description_da", "")),
                description_en=str(a.get("description_en", "")),
            )
            for a in data.get("focus_areas") or ()
        ),
        bank={
            str(step): tuple(
                QuestionRef(int(q.get("id", 0)), str(q.get("da", "")), str(q.get("en", "")))
                for q in questions
            )
            for step, questions in (data.get("bank") or {}).items()
        },
    )


def conversation_settings(conversation: Conversation) -> ConversationSettings:
    """What ``conversation`` shows: its snapshot, or for one planned before settings existed
    the defaults in code (so an old record reads as it always did)."""
    if not conversation.settings_snapshot:
        return built_in()
    try:
        return from_snapshot(json.loads(conversation.settings_snapshot))
    except (ValueError, TypeError, KeyError):
        return built_in()


def _stored(session: Session) -> dict[str, str]:
    return {row.key: row.value for row in session.exec(select(ConversationText))}


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def active_focus_areas(session: Session) -> list[FocusArea]:
    return list(
        session.exec(
            select(FocusArea)
            .where(col(FocusArea.archived).is_(False))
            .order_by(col(FocusArea.position), col(FocusArea.id))
        )
    )


def current(session: Session) -> ConversationSettings:
    """The settings in force today: what the organisation stored, the defaults for the rest."""
    base = built_in()
    stored = _stored(session)
    minutes = dict(base.minutes)
    for step in STEP_ORDER:
        value = stored.get(f"minutes_{step}", "")
        if value.isdigit():
            minutes[step] = int(value)
    bank: dict[str, tuple[QuestionRef, ...]]
    if _has_bank(session):
        rows = session.exec(
            select(BankQuestion)
            .where(col(BankQuestion.active).is_(True))
            .order_by(col(BankQuestion.position), col(BankQuestion.id))
        )
        grouped: dict[str, list[QuestionRef]] = {}
        for q in rows:
            grouped.setdefault(q.step, []).append(QuestionRef(q.id or 0, q.text_da, q.text_en))
        bank = {step: tuple(grouped.get(step, ())) for step in STEP_ORDER}
    else:
        bank = dict(base.bank)
    return ConversationSettings(
        intro_da=stored.get("intro_da", base.intro_da),
        intro_en=stored.get("intro_en", base.intro_en),
        appreciative_da=_lines(stored.get("appreciative_da", "\n".join(base.appreciative_da))),
        appreciative_en=_lines(stored.get("appreciative_en", "\n".join(base.appreciative_en))),
        minutes=minutes,
        focus_areas=tuple(
            FocusAreaRef(
                id=a.id or 0,
                name_da=a.name_da,
                name_en=a.name_en,
                description_da=a.description_da,
                description_en=a.description_en,
            )
            for a in active_focus_areas(session)
        ),
        bank=bank,
    )


def snapshot(session: Session) -> dict[str, Any]:
    """What a conversation planned now keeps (JSON-ready): the introduction, the appreciative
    questions, the time per step, the active focus areas and the active bank questions."""
    return current(session).as_dict()


def snapshot_json(session: Session) -> str:
    return json.dumps(snapshot(session), ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- default decks


def published_decks(session: Session, purpose: DeckPurpose) -> list[Deck]:
    return list(
        session.exec(
            select(Deck)
            .where(Deck.purpose == purpose, Deck.status == DeckStatus.published)
            .order_by(col(Deck.is_default).desc(), col(Deck.id))
        )
    )


def default_deck_ids(session: Session) -> dict[str, int | None]:
    """The decks preselected for a new conversation: the facilitator's choice while it is
    still published, else none (the first published deck is offered first anyway)."""
    stored = _stored(session)
    chosen: dict[str, int | None] = {}
    for purpose in (DeckPurpose.status, DeckPurpose.inspiration):
        value = stored.get(f"{purpose.value}_deck_id", "")
        offered = {d.id for d in published_decks(session, purpose)}
        chosen[purpose.value] = int(value) if value.isdigit() and int(value) in offered else None
    return chosen


@writes
def save_default_decks(
    session: Session, *, status_deck_id: int | None, inspiration_deck_id: int | None, now: datetime
) -> None:
    """Only a published deck of the right purpose can be a default."""
    for purpose, chosen in (
        (DeckPurpose.status, status_deck_id),
        (DeckPurpose.inspiration, inspiration_deck_id),
    ):
        if chosen is None:
            continue
        if chosen not in {d.id for d in published_decks(session, purpose)}:
            raise DomainError(N_("Choose one of the offered card decks."))
        _put(session, f"{purpose.value}_deck_id", str(chosen), now)


# ---------------------------------------------------------------- texts and allotments


def _put(session: Session, key: str, value: str, now: datetime) -> None:
    row = session.get(ConversationText, key)
    if row is None:
        row = ConversationText(key=key, value=value, updated_at=now)
    else:
        row.value, row.updated_at = value, now
    session.add(row)


def _checked_text(text: str, limit: int = MAX_TEXT) -> str:
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise DomainError(
            N_("The text is too long: at most %(limit)d characters (it has %(n)d)."),
            limit=limit,
            n=len(text),
        )
    return text


@writes
def save_texts(
    session: Session,
    *,
    intro_da: str,
    intro_en: str,
    appreciative_da: str,
    appreciative_en: str,
    now: datetime,
) -> None:
    """The introduction read aloud at Start and the appreciative questions (one per line).
    The Danish introduction is needed: Start would be empty without it."""
    intro_da = _checked_text(intro_da)
    if not intro_da:
        raise DomainError(N_("Write the introduction to read aloud."))
    _put(session, "intro_da", intro_da, now)
    _put(session, "intro_en", _checked_text(intro_en), now)
    _put(session, "appreciative_da", "\n".join(_lines(_checked_text(appreciative_da))), now)
    _put(session, "appreciative_en", "\n".join(_lines(_checked_text(appreciative_en))), now)


def checked_minutes(minutes: Mapping[str, str]) -> dict[str, int]:
    """Whole minutes from 1 to 120 for each of the six steps."""
    checked = {}
    for step in STEP_ORDER:
        value = str(minutes.get(step, "")).strip()
        if not value.isdigit() or not MIN_MINUTES <= int(value) <= MAX_MINUTES:
            raise DomainError(
                N_("Give each step a whole number of minutes from %(low)d to %(high)d."),
                low=MIN_MINUTES,
                high=MAX_MINUTES,
            )
        checked[step] = int(value)
    return checked


@writes
def save_minutes(session: Session, *, minutes: Mapping[str, str], now: datetime) -> None:
    for step, value in checked_minutes(minutes).items():
        _put(session, f"minutes_{step}", str(value), now)


# ---------------------------------------------------------------- focus areas


def focus_area(session: Session, area_id: int) -> FocusArea:
    area = session.get(FocusArea, area_id)
    if area is None:
        raise NotFound()
    return area


def _checked_area(
    name_da: str, name_en: str, description_da: str, description_en: str
) -> tuple[str, str, str, str]:
    name_da, name_en = " ".join(name_da.split()), " ".join(name_en.split())
    if not name_da:
        raise DomainError(N_("Give the focus area a name."))
    if len(name_da) > MAX_AREA_NAME or len(name_en) > MAX_AREA_NAME:
        raise DomainError(N_("The name is too long."))
    return (
        name_da,
        name_en,
        _checked_text(description_da, MAX_DESCRIPTION),
        _checked_text(description_en, MAX_DESCRIPTION),
    )


@writes
def add_focus_area(
    session: Session,
    *,
    name_da: str,
    name_en: str = "",
    description_da: str = "",
    description_en: str = "",
) -> FocusArea:
    """Only a name is needed; the area is offered to conversations planned from now on."""
    name_da, name_en, description_da, description_en = _checked_area(
        name_da, name_en, description_da, description_en
    )
    last = session.exec(select(func.max(FocusArea.position))).one()
    area = FocusArea(
        name_da=name_da,
        name_en=name_en,
        description_da=description_da,
        description_en=description_en,
        position=(last or 0) + 1,
    )
    session.add(area)
    session.flush()
    return area


@writes
def edit_focus_area(
    session: Session,
    *,
    area_id: int,
    name_da: str,
    name_en: str = "",
    description_da: str = "",
    description_en: str = "",
) -> FocusArea:
    """A new wording applies to conversations planned from now on; agreements already made
    keep the name they were made with."""
    area = focus_area(session, area_id)
    area.name_da, area.name_en, area.description_da, area.description_en = _checked_area(
        name_da, name_en, description_da, description_en
    )
    session.add(area)
    return area


@writes
def set_focus_area_archived(session: Session, *, area_id: int, archived: bool) -> FocusArea:
    """An archived area stays on the agreements and records that have it, and is no longer
    offered to new conversations. A double tap changes nothing."""
    area = focus_area(session, area_id)
    area.archived = archived
    session.add(area)
    return area


@writes
def move_focus_area(session: Session, *, area_id: int, up: bool) -> FocusArea:
    """One place up or down among the areas in use, the order every leader sees them in when
    planning and agreeing; at either end it stays. An archived area has no place to move."""
    area = focus_area(session, area_id)
    if not area.archived:
        _move_among(session, active_focus_areas(session), area, up=up)
    return area


def _move_among(
    session: Session,
    rows: Sequence[FocusArea | BankQuestion],
    row: FocusArea | BankQuestion,
    *,
    up: bool,
) -> None:
    """``row`` one place up or down in ``rows`` (in their order); at either end it stays.
    The positions are written anew from 1, only where they changed."""
    ordered = list(rows)
    index = next(i for i, r in enumerate(ordered) if r.id == row.id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        if each.position != position:
            each.position = position
            session.add(each)


def agreements_with(session: Session, area_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Agreement).where(Agreement.focus_area_id == area_id)
    ).one()


@writes
def delete_focus_area(session: Session, *, area_id: int) -> None:
    """Never while an agreement points to it: archive it instead."""
    area = focus_area(session, area_id)
    if agreements_with(session, area_id):
        raise DomainError(
            N_("Agreements point to this focus area, so it cannot be deleted. Archive it instead.")
        )
    session.delete(area)


# ---------------------------------------------------------------- question bank


def _has_bank(session: Session) -> bool:
    return session.exec(select(BankQuestion.id).limit(1)).first() is not None


def seed_bank_questions(session: Session) -> bool:
    """The question bank written for this product, stored once while the bank is empty (at
    start-up, or at a facilitator's first change), so it can be edited like any other."""
    with write_transaction(session):
        if engine_of(session).dialect.name == "postgresql":
            # Several app instances may start at once; on SQLite BEGIN IMMEDIATE already
            # makes the second wait and then find the bank filled.
            session.execute(sql("LOCK TABLE bank_questions IN SHARE ROW EXCLUSIVE MODE"))
        if _has_bank(session):
            return False
        for step, questions in defaults.BANK.items():
            for position, (da, en) in enumerate(questions, start=1):
                session.add(BankQuestion(step=step, text_da=da, text_en=en, position=position))
        return True


def bank_questions(session: Session) -> list[BankQuestion]:
    """Every question of the bank, active or not, by step and order."""
    return sorted(
        session.exec(select(BankQuestion)),
        key=lambda q: (STEP_ORDER.index(q.step) if q.step in STEP_ORDER else 99, q.position, q.id),
    )


def _checked_question(text_da: str, text_en: str) -> tuple[str, str]:
    text_da, text_en = " ".join(text_da.split()), " ".join(text_en.split())
    if not text_da:
        raise DomainError(N_("Write the question."))
    if len(text_da) > MAX_QUESTION or len(text_en) > MAX_QUESTION:
        raise DomainError(
            N_("The text is too long: at most %(limit)d characters (it has %(n)d)."),
            limit=MAX_QUESTION,
            n=max(len(text_da), len(text_en)),
        )
    return text_da, text_en


def _question(session: Session, question_id: int) -> BankQuestion:
    question = session.get(BankQuestion, question_id)
    if question is None:
        raise NotFound()
    return question


@writes
def add_question(session: Session, *, step: str, text_da: str, text_en: str = "") -> BankQuestion:
    if step not in STEP_ORDER:
        raise DomainError(N_("Choose the step the question belongs to."))
    text_da, text_en = _checked_question(text_da, text_en)
    seed_bank_questions(session)
    last = session.exec(
        select(func.max(BankQuestion.position)).where(BankQuestion.step == step)
    ).one()
    question = BankQuestion(step=step, text_da=text_da, text_en=text_en, position=(last or 0) + 1)
    session.add(question)
    session.flush()
    return question


@writes
def edit_question(
    session: Session, *, question_id: int, text_da: str, text_en: str = ""
) -> BankQuestion:
    question = _question(session, question_id)
    question.text_da, question.text_en = _checked_question(text_da, text_en)
    session.add(question)
    return question


@writes
def set_question_active(session: Session, *, question_id: int, active: bool) -> BankQuestion:
    """Deactivated, never deleted: conversations planned with it keep it in their snapshot."""
    question = _question(session, question_id)
    question.active = active
    session.add(question)
    return question


@writes
def move_question(session: Session, *, question_id: int, up: bool) -> BankQuestion:
    """One place up or down among the step's questions; at either end it stays."""
    question = _question(session, question_id)
    siblings = [q for q in bank_questions(session) if q.step == question.step]
    _move_among(session, siblings, question, up=up)
    return question
