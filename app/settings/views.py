"""What the settings page shows, prepared for its template: no counting in Jinja."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import BankQuestion, Deck, DeckPurpose, FocusArea
from app.models.settings import MAX_AREA_NAME, MAX_DESCRIPTION, MAX_QUESTION, MAX_TEXT
from app.settings import defaults, service


def arrow_to_focus(row_key: str, moved: str, *, is_first: bool, is_last: bool) -> str:
    """After a move with an arrow (``moved`` is "area-3-up"), the arrow of the moved row that
    keeps the keyboard's focus: the one pressed, or the other once the row reached an end.
    "" for every other row. Without it, each move sent focus back to the top of the page."""
    pressed = moved.removeprefix(f"{row_key}-") if moved.startswith(f"{row_key}-") else ""
    can = {"up": not is_first, "down": not is_last}
    if pressed not in can:
        return ""
    if can[pressed]:
        return pressed
    other = "down" if pressed == "up" else "up"
    return other if can[other] else ""


@dataclass(frozen=True)
class AreaRow:
    area: FocusArea
    agreements: int
    is_first: bool = False
    is_last: bool = False

    @property
    def can_delete(self) -> bool:
        return self.agreements == 0

    def focus(self, moved: str) -> str:
        return arrow_to_focus(
            f"area-{self.area.id}", moved, is_first=self.is_first, is_last=self.is_last
        )


@dataclass(frozen=True)
class QuestionRow:
    question: BankQuestion
    is_first: bool
    is_last: bool

    def focus(self, moved: str) -> str:
        return arrow_to_focus(
            f"question-{self.question.id}", moved, is_first=self.is_first, is_last=self.is_last
        )


@dataclass(frozen=True)
class StepSettings:
    step: str
    name: str  # msgid
    minutes: int
    questions: tuple[QuestionRow, ...]


@dataclass(frozen=True)
class SettingsLimits:
    name: int = MAX_AREA_NAME
    description: int = MAX_DESCRIPTION
    question: int = MAX_QUESTION
    text: int = MAX_TEXT
    min_minutes: int = service.MIN_MINUTES
    max_minutes: int = service.MAX_MINUTES


@dataclass(frozen=True)
class SettingsPage:
    areas: tuple[AreaRow, ...]
    archived: tuple[AreaRow, ...]
    intro_da: str
    intro_en: str
    appreciative_da: str
    appreciative_en: str
    steps: tuple[StepSettings, ...]
    decks: Mapping[str, list[Deck]]
    default_decks: Mapping[str, int | None]
    limits: SettingsLimits = SettingsLimits()


def settings_page(session: Session) -> SettingsPage:
    now_in_force = service.current(session)
    every_area = session.exec(
        select(FocusArea).order_by(col(FocusArea.position), col(FocusArea.id))
    ).all()
    in_use = [area for area in every_area if not area.archived]
    areas = tuple(
        AreaRow(
            area,
            service.agreements_with(session, area.id or 0),
            is_first=i == 0,
            is_last=i == len(in_use) - 1,
        )
        for i, area in enumerate(in_use)
    )
    archived = tuple(
        AreaRow(area, service.agreements_with(session, area.id or 0))
        for area in every_area
        if area.archived
    )
    questions = service.bank_questions(session)
    steps = []
    for step in service.STEP_ORDER:
        mine = [q for q in questions if q.step == step]
        steps.append(
            StepSettings(
                step=step,
                name=defaults.STEP_NAMES[step],
                minutes=now_in_force.minutes_for(step),
                questions=tuple(
                    QuestionRow(q, is_first=i == 0, is_last=i == len(mine) - 1)
                    for i, q in enumerate(mine)
                ),
            )
        )
    return SettingsPage(
        areas=areas,
        archived=archived,
        intro_da=now_in_force.intro_da,
        intro_en=now_in_force.intro_en,
        appreciative_da="\n".join(now_in_force.appreciative_da),
        appreciative_en="\n".join(now_in_force.appreciative_en),
        steps=tuple(steps),
        decks={
            purpose.value: service.published_decks(session, purpose)
            for purpose in (DeckPurpose.status, DeckPurpose.inspiration)
        },
        default_decks=service.default_deck_ids(session),
    )


def focus_area(session: Session, area_id: int) -> FocusArea:
    return service.focus_area(session, area_id)
