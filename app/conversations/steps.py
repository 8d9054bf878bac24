"""The six steps of the conversation (DESIGN §1), in order, with their time allotments."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import Step

# The board's rows live beside BoardRow, where a deck's preview reads them too.
from app.models.conversations import ROWS as ROWS
from app.models.conversations import RowInfo as RowInfo
from app.settings.defaults import MINUTES, STEP_NAMES


@dataclass(frozen=True)
class StepInfo:
    step: Step
    name: str  # msgid
    minutes: int  # the default allotment; a conversation reads its own from its snapshot
    template: str


TEMPLATES = (
    (Step.start, "conversations/start.html"),
    (Step.status, "conversations/status.html"),
    (Step.arbejdsglaede, "conversations/board.html"),
    (Step.feedback, "conversations/feedback.html"),
    (Step.aftaler, "conversations/agreements.html"),
    (Step.slut, "conversations/summary.html"),
)
STEPS: tuple[StepInfo, ...] = tuple(
    StepInfo(step, STEP_NAMES[step], MINUTES[step], template) for step, template in TEMPLATES
)
BY_STEP = {info.step: info for info in STEPS}
ORDER = [info.step for info in STEPS]


def step_after(step: Step) -> Step | None:
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_before(step: Step) -> Step | None:
    index = ORDER.index(step)
    return ORDER[index - 1] if index > 0 else None
