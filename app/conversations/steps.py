"""The six steps of the conversation (DESIGN §1), in order, with their time allotments."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import N_
from app.models import Step

# The board's rows live beside BoardRow, where a deck's preview reads them too.
from app.models.conversations import ROWS as ROWS
from app.models.conversations import RowInfo as RowInfo


@dataclass(frozen=True)
class StepInfo:
    step: Step
    name: str  # msgid
    minutes: int
    template: str


STEPS: tuple[StepInfo, ...] = (
    StepInfo(Step.start, N_("Start"), 5, "conversations/start.html"),
    StepInfo(Step.status, N_("Status"), 10, "conversations/status.html"),
    StepInfo(Step.arbejdsglaede, N_("Job satisfaction"), 25, "conversations/board.html"),
    StepInfo(Step.feedback, N_("Feedback"), 10, "conversations/feedback.html"),
    StepInfo(Step.aftaler, N_("Agreements"), 15, "conversations/agreements.html"),
    StepInfo(Step.slut, N_("Wrap-up"), 5, "conversations/summary.html"),
)
BY_STEP = {info.step: info for info in STEPS}
ORDER = [info.step for info in STEPS]


def step_after(step: Step) -> Step | None:
    index = ORDER.index(step)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def step_before(step: Step) -> Step | None:
    index = ORDER.index(step)
    return ORDER[index - 1] if index > 0 else None
