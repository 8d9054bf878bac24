"""What each screen shows, prepared for the templates: no counting or checks in Jinja."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.cards.views import (
    BoardRowView,
    BoardStepView,
    ConversationRef,
    DeckCard,
    PickView,
    StatusStepView,
    card_views,
)
from app.conversations import due, followup, guide, marking, service, topics
from app.conversations.steps import BY_STEP, ROWS, STEPS, step_after, step_before
from app.errors import N_
from app.i18n import TIMEZONE
from app.media.service import VariantRef, variants_of
from app.models import (
    Agreement,
    BoardRow,
    Card,
    Conversation,
    ConversationStatus,
    Deck,
    Employee,
    Pick,
    Step,
    User,
)
from app.models.conversations import LIMITS, STATUS_ROW, Limits
from app.models.preparation import MAX_TOPIC
from app.settings import service as settings

# A finished conversation is read-only; a cancelled one was never held.
_CLOSED = (ConversationStatus.completed, ConversationStatus.cancelled)


@dataclass(frozen=True)
class AgendaItem:
    step: str
    name: str
    number: int
    minutes: int
    spent_minutes: int
    is_current: bool
    is_done: bool
    is_over: bool
    # For the page's own counting (DESIGN §1: the minutes move without a reload): the seconds
    # spent when the page was made, and whether this step's clock runs.
    spent_seconds: int = 0
    is_running: bool = False


@dataclass(frozen=True)
class AgendaTotal:
    """The whole conversation's time, beside the six steps."""

    spent_seconds: int
    spent_minutes: int
    minutes: int
    is_running: bool


def whole_minutes(seconds: int) -> int:
    """Minutes as a clock shows them: a minute counts once it is over (the page counts alike)."""
    return seconds // 60


@dataclass(frozen=True)
class AgreementView:
    id: int
    text: str
    owner: str
    due: date | None
    strategic_area: str
    status: str
    follow_up_comment: str
    focus_area_id: int | None
    card_titles: tuple[str, ...]
    pick_ids: tuple[int, ...]


@dataclass
class ConversationView:
    id: int
    employee_name: str
    leader_name: str
    date: date
    language: str
    status: str
    step: str
    step_name: str
    revision: int
    follow_up_date: dt.date | None
    no_agreements: bool
    is_open: bool
    agenda: list[AgendaItem] = field(default_factory=list)
    agenda_total: AgendaTotal | None = None
    # The server's time when the page was made (seconds since 1970), which the agenda's counting
    # starts from: the page adds what its own clock says has passed since it arrived.
    agenda_now: int = 0
    can_start: bool = False  # a planned conversation: Start conversation is offered
    next_step: str | None = None
    previous_step: str | None = None
    feedback: dict[str, str] = field(default_factory=dict)
    preview: bool = False  # a deck's preview: the step's look, nothing saved
    limits: Limits = LIMITS
    # Finishing and reopening (DESIGN §1): how many days a finished conversation can be
    # reopened, the last day this one can (None: not finished, or too late), and whether it is
    # open again for corrections.
    reopen_days: int = 0
    reopen_until: dt.date | None = None
    is_reopened: bool = False


def conversation_view(
    session: Session, conversation: Conversation, *, step: Step, now: datetime, reopen_days: int
) -> ConversationView:
    employee = session.get(Employee, conversation.employee_id)
    leader = session.get(User, conversation.leader_id)
    spent = service.seconds_per_step(session, conversation, now)
    # The allotments in force when it was planned: a later change in the settings never
    # moves a running conversation's agenda.
    kept = settings.conversation_settings(conversation)
    current_index = [info.step for info in STEPS].index(step)
    running = conversation.current_step if conversation.step_since is not None else None
    agenda = [
        AgendaItem(
            step=info.step.value,
            name=info.name,
            number=number,
            minutes=kept.minutes_for(info.step),
            spent_minutes=whole_minutes(spent[info.step.value]),
            is_current=info.step == step,
            is_done=number - 1 < current_index,
            is_over=spent[info.step.value] > kept.minutes_for(info.step) * 60,
            spent_seconds=spent[info.step.value],
            is_running=info.step == running,
        )
        for number, info in enumerate(STEPS, start=1)
    ]
    total = sum(spent.values())
    after, before = step_after(step), step_before(step)
    is_open = conversation.status not in _CLOSED
    reopenable = service.can_reopen(conversation, reopen_days=reopen_days, now=now)
    return ConversationView(
        id=conversation.id or 0,
        employee_name=employee.name if employee else "",
        leader_name=leader.name if leader else "",
        date=conversation.date,
        language=conversation.language,
        status=conversation.status,
        step=step.value,
        step_name=BY_STEP[step].name,
        revision=conversation.revision,
        follow_up_date=conversation.follow_up_date,
        no_agreements=conversation.no_agreements,
        is_open=is_open,
        agenda=agenda,
        agenda_total=AgendaTotal(
            spent_seconds=total,
            spent_minutes=whole_minutes(total),
            minutes=kept.total_minutes,
            is_running=running is not None,
        ),
        agenda_now=int(now.timestamp()),
        can_start=conversation.status == ConversationStatus.planned,
        next_step=after.value if after else None,
        previous_step=before.value if before else None,
        feedback={name: getattr(conversation, name) for name in service.FEEDBACK_FIELDS},
        reopen_days=reopen_days,
        reopen_until=(
            service.last_day_to_reopen(conversation, reopen_days=reopen_days)
            if reopenable
            else None
        ),
        is_reopened=is_open and conversation.completed_at is not None,
    )


def step_page(
    session: Session,
    conversation: Conversation,
    *,
    step: Step,
    lang: str,
    now: datetime,
    reopen_days: int,
) -> dict[str, object]:
    """Everything one step's page shows."""
    kept = settings.conversation_settings(conversation)
    context: dict[str, object] = {
        "c": conversation_view(session, conversation, step=step, now=now, reopen_days=reopen_days),
        "rows": ROWS,
        "guide": guide.guide(kept, step, lang, marking.chosen_questions(session, conversation)),
        # Topics for today: in full on the Start step, folded into the step bar on the others.
        "topics": topics.topic_views(session, conversation),
    }
    if step == Step.start:
        context["talk_about"] = [
            a.name(lang) for a in marking.chosen_focus_areas(session, conversation)
        ]
        context["intro"] = kept.intro(lang)
        context["topic_limit"] = MAX_TOPIC
        context["previous"] = agreement_views(
            session, service.previous_agreements(session, conversation), lang
        )
        # The follow-ups' and check-ins' cards and notes since the previous MUS.
        context["since"] = followup.since_last_time(session, conversation, lang)
    elif step == Step.status:
        context["status"] = status_step(session, conversation, lang)
    elif step == Step.arbejdsglaede:
        context["board"] = board_step(session, conversation, lang)
    elif step == Step.feedback:
        context["shareable"] = conversation.suggestions_shareable
    elif step == Step.aftaler:
        context["agreements"] = agreement_views(
            session, service.agreements_of(session, conversation), lang
        )
        context["choosable"] = choosable_picks(session, conversation, lang)
        context["new_token"] = secrets.token_urlsafe(16)
        context["focus_areas"] = [
            FocusAreaChoice(id=a.id, name=a.name(lang)) for a in kept.focus_areas
        ]
    elif step == Step.slut:
        context["summary"] = summary(session, conversation, lang)
    return context


def _pick_views(
    session: Session,
    picks: list[Pick],
    lang: str,
    variants: dict[str, list[VariantRef]] | None = None,
) -> list[PickView]:
    if variants is None:
        variants = variants_of(session, [p.image_sha256 for p in picks])
    views = []
    for pick in picks:
        found = variants.get(pick.image_sha256) or []
        views.append(
            PickView(
                id=pick.id or 0,
                card_id=pick.card_id,
                title=pick.title(lang),
                alt=pick.alt(lang),
                note=pick.note,
                row=pick.row,
                thumb=found[0] if found else None,
                large=found[-1] if found else None,
            )
        )
    return views


def _deck_cards(session: Session, deck_id: int) -> list[Card]:
    # Cards a facilitator has removed or replaced are no longer offered.
    query = select(Card).where(Card.deck_id == deck_id, col(Card.retired_at).is_(None))
    return list(session.exec(query.order_by(col(Card.position), col(Card.id))))


def status_step(session: Session, conversation: Conversation, lang: str) -> StatusStepView:
    picks = service.picks_of(session, conversation, [STATUS_ROW])
    by_card = {p.card_id: p for p in picks}
    active = [p for p in picks if not p.removed]
    cards = card_views(session, _deck_cards(session, conversation.status_deck_id), lang)
    return StatusStepView(
        cards=tuple(
            DeckCard(
                card=card,
                picked=card.id in by_card and not by_card[card.id].removed,
                pick_id=by_card[card.id].id if card.id in by_card else None,
                on_board_row=None,
            )
            for card in cards
        ),
        chosen=tuple(_pick_views(session, active, lang)),
        can_pick_more=len(active) < service.status_card_limit(conversation),
        max_cards=service.status_card_limit(conversation),
    )


def _ref(conversation: Conversation) -> ConversationRef:
    return ConversationRef(
        id=conversation.id or 0,
        is_open=conversation.status not in _CLOSED,
        revision=conversation.revision,
    )


def status_pick(session: Session, tapped: service.StatusPicked, lang: str) -> dict[str, object]:
    """The tapped card and the chosen cards, with one query for all their images."""
    conversation, card = tapped.conversation, tapped.card
    active = [p for p in tapped.picks if not p.removed]
    variants = variants_of(session, [card.image_sha256, *(p.image_sha256 for p in active)])
    (card_view,) = card_views(session, [card], lang, variants)
    pick = next((p for p in active if p.card_id == card.id), None)
    return {
        "c": _ref(conversation),
        "oob": True,
        "item": DeckCard(
            card=card_view,
            picked=pick is not None,
            pick_id=pick.id if pick else None,
            on_board_row=None,
        ),
        "status": StatusStepView(
            cards=(),
            chosen=tuple(_pick_views(session, active, lang, variants)),
            can_pick_more=len(active) < service.status_card_limit(tapped.conversation),
            max_cards=service.status_card_limit(tapped.conversation),
        ),
    }


def board_step(
    session: Session,
    conversation: Conversation,
    lang: str,
    *,
    only_cards: Collection[int] | None = None,
) -> BoardStepView:
    """The board and the tray; with ``only_cards``, only those of the tray's cards."""
    picks = [p for p in service.picks_of(session, conversation, list(BoardRow)) if not p.removed]
    placed = {p.card_id: p for p in picks}
    offered = _deck_cards(session, conversation.inspiration_deck_id)
    if only_cards is not None:
        offered = [card for card in offered if card.id in only_cards]
    cards = card_views(session, offered, lang)
    views = _pick_views(session, picks, lang)
    notes = {info.row: getattr(conversation, service.ROW_NOTE_FIELDS[info.row]) for info in ROWS}
    rows = _board_rows(views, notes)
    return BoardStepView(
        cards=tuple(
            DeckCard(
                card=card,
                picked=False,
                pick_id=placed[card.id].id if card.id in placed else None,
                on_board_row=placed[card.id].row if card.id in placed else None,
            )
            for card in cards
        ),
        rows=rows,
    )


def board_change(
    session: Session, conversation: Conversation, lang: str, changed_cards: Collection[int]
) -> dict[str, object]:
    """The answer to a change on the board: its rows, and the tray cards whose place changed
    (a card put on the board or taken off it). The rest of the tray stays as it is on the
    tablet, scrolled where the person left it."""
    return {
        "c": _ref(conversation),
        "board": board_step(session, conversation, lang, only_cards=changed_cards),
        "oob": True,
    }


@dataclass(frozen=True)
class UndoView:
    """The Undo prompt after a card was taken off the board or an agreement deleted
    (partials/undo.html): what happened, and the request that puts it back."""

    message: str  # msgid with %(subject)s
    subject: str  # the card's title or the agreement's text, shortened
    route: str  # the restore route's name ...
    params: dict[str, int]  # ... and its path parameters
    target: str  # the element the restore's answer replaces, as the removal's answer did


def undo_pick(pick: Pick, lang: str) -> UndoView:
    return UndoView(
        message=N_("Taken off the board: %(subject)s"),
        subject=pick.title(lang),
        route="conversations_pick_restore",
        params={"conversation_id": pick.conversation_id, "pick_id": pick.id or 0},
        target="#board",
    )


# An agreement can be long; the prompt names it by its beginning.
UNDO_SUBJECT_LENGTH = 60


def undo_agreement(agreement: Agreement) -> UndoView:
    text = " ".join(agreement.text.split())
    if len(text) > UNDO_SUBJECT_LENGTH:
        text = text[: UNDO_SUBJECT_LENGTH - 1].rstrip() + "…"
    return UndoView(
        message=N_("Agreement deleted: %(subject)s"),
        subject=text,
        route="conversations_agreement_restore",
        params={"conversation_id": agreement.conversation_id, "agreement_id": agreement.id or 0},
        target="#agreements-area",
    )


def _board_rows(views: list[PickView], notes: dict[BoardRow, str]) -> tuple[BoardRowView, ...]:
    rows = []
    for index, info in enumerate(ROWS):
        in_row = tuple(v for v in views if v.row == info.row)
        rows.append(
            BoardRowView(
                row=info.row.value,
                info=info,
                picks=in_row,
                note=notes.get(info.row, ""),
                is_full=len(in_row) >= service.MAX_PER_ROW,
                above=ROWS[index - 1] if index > 0 else None,
                below=ROWS[index + 1] if index + 1 < len(ROWS) else None,
            )
        )
    return tuple(rows)


def agreement_views(
    session: Session, agreements: list[Agreement], lang: str
) -> list[AgreementView]:
    links = service.cards_of_agreements(session, agreements)
    return [
        AgreementView(
            id=a.id or 0,
            text=a.text,
            owner=a.owner,
            due=a.due,
            strategic_area=a.strategic_area,
            status=a.status,
            follow_up_comment=a.follow_up_comment,
            focus_area_id=a.focus_area_id,
            card_titles=tuple(p.title(lang) for p in links[a.id or 0]),
            pick_ids=tuple(p.id or 0 for p in links[a.id or 0]),
        )
        for a in agreements
    ]


@dataclass(frozen=True)
class FocusAreaChoice:
    """A strategic area the agreement form offers: the conversation's, as kept when planned."""

    id: int
    name: str


@dataclass(frozen=True)
class ChoosablePick:
    id: int
    title: str
    where: str  # "status" or a board row


def choosable_picks(session: Session, conversation: Conversation, lang: str) -> list[ChoosablePick]:
    picks = service.picks_of(session, conversation, [STATUS_ROW, *BoardRow])
    return [
        ChoosablePick(id=p.id or 0, title=p.title(lang), where=p.row)
        for p in picks
        if not p.removed
    ]


@dataclass(frozen=True)
class SummaryView:
    status: tuple[PickView, ...]
    rows: tuple[BoardRowView, ...]
    agreements: tuple[AgreementView, ...]


def summary(session: Session, conversation: Conversation, lang: str) -> SummaryView:
    status = status_step(session, conversation, lang)
    board = board_step(session, conversation, lang)
    agreements = agreement_views(session, service.agreements_of(session, conversation), lang)
    return SummaryView(status=status.chosen, rows=board.rows, agreements=tuple(agreements))


@dataclass(frozen=True)
class HomeRow:
    id: int
    employee_name: str
    date: date
    status: str
    step: str
    starts_at: dt.time | None = None
    place: str = ""
    kind: str = "mus"
    employee_id: int = 0
    follow_up_date: dt.date | None = None


@dataclass(frozen=True)
class EmployeeHistory:
    name: str
    conversations: tuple[HomeRow, ...]
    employee_id: int = 0


def home(session: Session, *, leader_id: int, today: date) -> dict[str, object]:
    rows = session.exec(
        select(Conversation, Employee)
        .where(Conversation.leader_id == leader_id)
        .where(Conversation.employee_id == Employee.id)
        .order_by(col(Conversation.date).desc(), col(Conversation.id).desc())
    ).all()
    items = [
        HomeRow(
            id=c.id or 0,
            employee_name=e.name,
            date=c.date,
            status=c.status,
            step=c.current_step,
            starts_at=c.starts_at,
            place=c.place,
            kind=c.kind,
            employee_id=e.id or 0,
            follow_up_date=c.follow_up_date,
        )
        for c, e in rows
    ]
    by_employee: dict[str, list[HomeRow]] = {}
    for item in sorted(items, key=lambda i: (i.employee_name.casefold(), i.date)):
        by_employee.setdefault(item.employee_name, []).append(item)
    return {
        "open": [i for i in items if i.status not in _CLOSED],
        "completed": [i for i in items if i.status == ConversationStatus.completed],
        "cancelled": [i for i in items if i.status == ConversationStatus.cancelled],
        "employees": [
            EmployeeHistory(name, tuple(c), c[0].employee_id) for name, c in by_employee.items()
        ],
        # The same list `arbejdsglaede remind` e-mails (issue 16), follow-ups due among it.
        "due": due.due_for(session, leader_id, today),
    }


def new_conversation(session: Session, *, leader_id: int, today: date) -> dict[str, object]:
    """The planning form: the leader's employees to pick from and the decks on offer."""
    return {
        "employees": service.employees_of(session, leader_id=leader_id),
        "decks": deck_choices(session),
        "default_decks": settings.default_deck_ids(session),
        "default_duration": service.agenda_minutes(session),
        "today": today,
        "limits": LIMITS,
    }


def deck_choices(session: Session) -> dict[str, list[Deck]]:
    from app.models import DeckPurpose

    return {
        "status": service.published_decks(session, DeckPurpose.status),
        "inspiration": service.published_decks(session, DeckPurpose.inspiration),
    }


# ---------------------------------------------------------------- follow-up and check-in


@dataclass(frozen=True)
class ReviewView:
    """An agreement at a follow-up or check-in, with what this session said of it."""

    agreement: AgreementView
    # The latest review in this session, or None: the form shows it again.
    status: str | None
    comment: str
    new_due: date | None
    history: tuple[tuple[date, str, str], ...]  # (day, status, comment), oldest first


def short_page(
    session: Session, conversation: Conversation, *, lang: str, now: datetime, reopen_days: int
) -> dict[str, object]:
    """The follow-up's or check-in's one page: the status card, the reviews, the finish."""
    agreements = followup.agreements_to_review(session, conversation)
    history = service.history_of(session, agreements)
    reviews = []
    for view in agreement_views(session, agreements, lang):
        entries = history[view.id]
        here = [r for r in entries if r.conversation_id == conversation.id]
        last = here[-1] if here else None
        reviews.append(
            ReviewView(
                agreement=view,
                status=last.status if last else None,
                comment=last.comment if last else "",
                new_due=last.new_due if last else None,
                history=tuple(
                    (_local_day(r.at), r.status, r.comment) for r in entries if r is not last
                ),
            )
        )
    parent = session.get(Conversation, conversation.parent_id) if conversation.parent_id else None
    return {
        "c": conversation_view(
            session, conversation, step=Step.status, now=now, reopen_days=reopen_days
        ),
        "kind": conversation.kind,
        "parent": parent,
        "status": status_step(session, conversation, lang),
        "reviews": reviews,
        "grown": agreement_views(
            session,
            [a for a in service.agreements_of(session, conversation) if a.grew_from_id],
            lang,
        ),
        "rows": ROWS,
        "guide": None,
    }


def _local_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(TIMEZONE).date()
