"""The leader individualises a conversation before it (DESIGN §1, issue 15): picks questions
from the bank in the conversation's snapshot for each step, marks the ones that matter most
for this person, and picks the strategic focus areas to talk about.

The choices are copies of the snapshot's wording, so an edit of the bank or a focus area
archived afterwards changes nothing here. The questions are the leader's guide and never go
into the record; the focus areas do, as the areas talked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.conversations.service import own_open_conversation
from app.conversations.steps import BY_STEP
from app.db import writes
from app.errors import N_, DomainError
from app.models import (
    Conversation,
    ConversationFocusArea,
    ConversationQuestion,
    ConversationStatus,
    Employee,
    Step,
)
from app.settings import service as settings

STEP_ORDER: tuple[str, ...] = tuple(step.value for step in Step)


@dataclass(frozen=True)
class ChosenQuestion:
    """A question chosen for this conversation, in both languages as it was chosen."""

    step: str
    position: int  # its place among the step's questions in the snapshot
    text_da: str
    text_en: str
    marked: bool

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text_da


@dataclass(frozen=True)
class ChosenFocusArea:
    id: int
    name_da: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_da


def question_key(step: str, position: int) -> str:
    """How the Prepare form names a snapshot question: its step and place there."""
    return f"{step}:{position}"


# ---------------------------------------------------------------- reading


def _question_rows(session: Session, conversation: Conversation) -> list[ConversationQuestion]:
    rows = session.exec(
        select(ConversationQuestion).where(ConversationQuestion.conversation_id == conversation.id)
    )
    return sorted(
        rows,
        key=lambda q: (STEP_ORDER.index(q.step) if q.step in STEP_ORDER else 99, q.position),
    )


def chosen_questions(session: Session, conversation: Conversation) -> list[ChosenQuestion]:
    """The questions chosen for this conversation, step by step in the bank's order."""
    return [
        ChosenQuestion(
            step=q.step, position=q.position, text_da=q.text_da, text_en=q.text_en, marked=q.marked
        )
        for q in _question_rows(session, conversation)
    ]


def marked_questions(session: Session, conversation: Conversation) -> list[ChosenQuestion]:
    """The questions the leader marked as mattering most for this person, step by step: what
    the employee's preparation page shows them."""
    return [q for q in chosen_questions(session, conversation) if q.marked]


def chosen_focus_areas(session: Session, conversation: Conversation) -> list[ChosenFocusArea]:
    """The focus areas the pair will talk about, with the names they had when chosen."""
    rows = session.exec(
        select(ConversationFocusArea)
        .where(ConversationFocusArea.conversation_id == conversation.id)
        .order_by(col(ConversationFocusArea.position), col(ConversationFocusArea.focus_area_id))
    )
    return [ChosenFocusArea(id=a.focus_area_id, name_da=a.name_da, name_en=a.name_en) for a in rows]


@dataclass(frozen=True)
class QuestionChoice:
    key: str
    text: str
    chosen: bool
    marked: bool


@dataclass(frozen=True)
class StepChoices:
    step: str
    name: str  # msgid of the step's name
    questions: tuple[QuestionChoice, ...]


@dataclass(frozen=True)
class AreaChoice:
    id: int
    name: str
    description: str
    chosen: bool


@dataclass(frozen=True)
class PrepareView:
    id: int
    employee_name: str
    steps: tuple[StepChoices, ...]
    areas: tuple[AreaChoice, ...]
    is_open: bool
    has_questions: bool


def prepare_view(session: Session, conversation: Conversation, lang: str) -> PrepareView:
    """The Prepare page: the snapshot's bank questions per step and its focus areas, each
    with whether it is chosen (and marked) for this conversation."""
    kept = settings.conversation_settings(conversation)
    chosen = {(q.step, q.position): q for q in _question_rows(session, conversation)}
    steps = []
    for step in Step:
        questions = tuple(
            QuestionChoice(
                key=question_key(step.value, position),
                text=ref.text(lang),
                chosen=(step.value, position) in chosen,
                marked=(step.value, position) in chosen and chosen[step.value, position].marked,
            )
            for position, ref in enumerate(kept.bank.get(step.value, ()))
        )
        if questions:
            steps.append(StepChoices(step=step.value, name=BY_STEP[step].name, questions=questions))
    picked = {a.id for a in chosen_focus_areas(session, conversation)}
    employee = session.get(Employee, conversation.employee_id)
    return PrepareView(
        id=conversation.id or 0,
        employee_name=employee.name if employee else "",
        steps=tuple(steps),
        areas=tuple(
            AreaChoice(
                id=a.id, name=a.name(lang), description=a.description(lang), chosen=a.id in picked
            )
            for a in kept.focus_areas
        ),
        is_open=conversation.status in (ConversationStatus.planned, ConversationStatus.running),
        has_questions=bool(steps),
    )


# ---------------------------------------------------------------- writing


def _parse_key(key: str) -> tuple[str, int]:
    step, _, position = key.partition(":")
    if step not in STEP_ORDER or not position.isdigit():
        raise DomainError(N_("Choose among the questions offered."))
    return step, int(position)


@writes
def save_preparation(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    questions: Iterable[str],
    marked: Iterable[str],
    focus_area_ids: Iterable[int],
) -> None:
    """The questions chosen (by ``question_key``), those marked as mattering most (a marked
    question is chosen too), and the focus areas, all from the conversation's snapshot; each
    is copied, so a later edit of the bank or an archived area leaves it as chosen. Saving
    the same twice changes nothing."""
    conversation = own_open_conversation(session, leader_id, conversation_id)
    kept = settings.conversation_settings(conversation)
    marked_keys = {_parse_key(k) for k in marked}
    chosen_keys = {_parse_key(k) for k in questions} | marked_keys
    for step, position in chosen_keys:
        if position >= len(kept.bank.get(step, ())):
            raise DomainError(N_("Choose among the questions offered."))
    area_ids = list(dict.fromkeys(focus_area_ids))
    offered = {a.id: a for a in kept.focus_areas}
    if any(area_id not in offered for area_id in area_ids):
        raise DomainError(N_("Choose among the focus areas offered."))

    existing = {(q.step, q.position): q for q in _question_rows(session, conversation)}
    for key, old in existing.items():
        if key not in chosen_keys:
            session.delete(old)
    for step, position in sorted(chosen_keys):
        found = existing.get((step, position))
        if found is None:
            ref = kept.bank[step][position]
            found = ConversationQuestion(
                conversation_id=conversation.id or 0,
                step=step,
                position=position,
                text_da=ref.text_da,
                text_en=ref.text_en,
            )
        found.marked = (step, position) in marked_keys
        session.add(found)

    kept_areas = {
        a.focus_area_id: a
        for a in session.exec(
            select(ConversationFocusArea).where(
                ConversationFocusArea.conversation_id == conversation.id
            )
        )
    }
    for area_id, old_area in kept_areas.items():
        if area_id not in area_ids:
            session.delete(old_area)
    for index, area_id in enumerate(area_ids):
        chosen_area = kept_areas.get(area_id)
        if chosen_area is None:
            chosen_area = ConversationFocusArea(
                conversation_id=conversation.id or 0,
                focus_area_id=area_id,
                name_da=offered[area_id].name_da,
                name_en=offered[area_id].name_en,
            )
        chosen_area.position = index
        session.add(chosen_area)
