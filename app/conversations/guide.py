"""The leader's guide (DESIGN §1): short prompts from the five habits of a good MUS for each
step, with the step's questions from the conversation's snapshot. For the leader's eyes only:
it is shown on the step's page and never put in the record or an export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.conversations.marking import ChosenQuestion
from app.errors import N_
from app.models import Step
from app.settings.service import ConversationSettings

# The five habits: trust and openness, active listening and follow-up questions,
# appreciation, clear goals, follow-up and availability. One to three per step, where they
# matter most.
PROMPTS: dict[Step, tuple[str, ...]] = {
    Step.start: (
        N_(
            "Trust and openness: sit side by side, put your phone away, and say who will see"
            " what is written."
        ),
        N_("Ask how the employee is today before you begin."),
    ),
    Step.status: (
        N_("Active listening: let the employee finish, then say in your own words what you heard."),
        N_("Follow-up question: “What do you mean by that?” or “Can you give an example?”"),
    ),
    Step.arbejdsglaede: (
        N_("Ask about each card before the next one: “What is it about this card?”"),
        N_("Appreciation: say aloud what you hear gives the employee energy."),
        N_("Listen to the less glad row without defending or solving at once."),
    ),
    Step.feedback: (
        N_("Appreciation: start with what went well, and be specific."),
        N_(
            "Ask for feedback on your own leadership and say thank you, without explaining"
            " yourself."
        ),
    ),
    Step.aftaler: (
        N_("Clear goals: what exactly, who, and by when?"),
        N_("A few agreements that are kept are worth more than many that are forgotten."),
    ),
    Step.slut: (
        N_(
            "Follow-up and availability: agree when you follow up, and how the employee can"
            " reach you before then."
        ),
        N_("Ask: “How was this conversation for you?”"),
    ),
}


@dataclass(frozen=True)
class GuideQuestion:
    text: str
    marked: bool


@dataclass(frozen=True)
class GuideView:
    """What the guide shows at one step: prompts (msgids), the questions the leader chose for
    this person (the marked ones flagged), and the rest of the step's questions, in the
    page's language."""

    prompts: tuple[str, ...]
    questions: tuple[str, ...]
    appreciative: tuple[str, ...]
    chosen: tuple[GuideQuestion, ...] = ()


def guide(
    settings: ConversationSettings,
    step: Step,
    lang: str,
    chosen: Sequence[ChosenQuestion] = (),
) -> GuideView:
    """The chosen questions come first, marked ones before the others; the step's other bank
    questions follow, so nothing the leader might ask is hidden."""
    mine = [q for q in chosen if q.step == step.value]
    taken = {q.position for q in mine}
    return GuideView(
        prompts=PROMPTS[step],
        chosen=tuple(
            GuideQuestion(text=q.text(lang), marked=q.marked)
            for q in sorted(mine, key=lambda q: (not q.marked, q.position))
        ),
        questions=tuple(
            ref.text(lang)
            for position, ref in enumerate(settings.bank.get(step.value, ()))
            if position not in taken
        ),
        appreciative=settings.appreciative(lang) if step == Step.feedback else (),
    )


def all_prompts() -> tuple[str, ...]:
    return tuple(prompt for prompts in PROMPTS.values() for prompt in prompts)
