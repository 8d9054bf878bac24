"""Cards as the screens show them, below both areas that show them: the decks pages and the
conversation's steps use these, and this module uses neither of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.media.service import VariantRef, variants_of
from app.models import Card
from app.models.conversations import (
    LIMITS,
    MAX_PER_ROW,
    MAX_STATUS_CARDS,
    ROWS,
    Limits,
    RowInfo,
)


@dataclass(frozen=True)
class CardView:
    id: int
    title: str
    alt: str
    theme: str
    thumb: VariantRef
    large: VariantRef
    srcset: tuple[VariantRef, ...]


def card_views(
    session: Session,
    cards: list[Card],
    lang: str,
    variants: dict[str, list[VariantRef]] | None = None,
) -> list[CardView]:
    if variants is None:
        variants = variants_of(session, [card.image_sha256 for card in cards])
    views: list[CardView] = []
    for card in cards:
        found = variants.get(card.image_sha256)
        if not found:
            continue
        views.append(
            CardView(
                id=card.id or 0,
                title=card.title(lang),
                alt=card.alt(lang),
                theme=card.theme,
                thumb=found[0],
                large=found[-1],
                srcset=tuple(found),
            )
        )
    return views


# -- a deck's preview: the steps' own templates, nothing behind them ----------------------
# The shapes the Status and Job satisfaction templates read, with nothing picked yet.


# The Status and Arbejdsglæde steps' view objects: a conversation's steps fill them, and a
# deck's preview fills them with the deck's cards alone.


@dataclass(frozen=True)
class PickView:
    id: int
    card_id: int
    title: str
    alt: str
    note: str
    row: str
    thumb: VariantRef | None
    large: VariantRef | None


@dataclass(frozen=True)
class DeckCard:
    card: CardView
    picked: bool
    pick_id: int | None
    on_board_row: str | None


@dataclass(frozen=True)
class BoardRowView:
    row: str
    info: RowInfo
    picks: tuple[PickView, ...]
    note: str
    is_full: bool
    above: RowInfo | None
    below: RowInfo | None

    @property
    def empty_slots(self) -> range:
        """The places left in the row, drawn as empty card outlines."""
        return range(MAX_PER_ROW - len(self.picks))


@dataclass(frozen=True)
class StatusStepView:
    cards: tuple[DeckCard, ...]
    chosen: tuple[PickView, ...]
    can_pick_more: bool
    max_cards: int


@dataclass(frozen=True)
class ConversationRef:
    """Just enough of the conversation for the small answer to a tap, and for a deck's
    preview, which has none behind it (``preview``: nothing is saved, no links)."""

    id: int
    is_open: bool
    revision: int
    preview: bool = False
    limits: Limits = LIMITS


@dataclass(frozen=True)
class BoardStepView:
    cards: tuple[DeckCard, ...]
    rows: tuple[BoardRowView, ...]


def deck_preview(cards: tuple[CardView, ...]) -> dict[str, object]:
    """A deck in the Status and Arbejdsglæde steps' own views, for its preview: no
    conversation behind it, so every link to the server is left out and nothing is saved."""
    offered = tuple(
        DeckCard(card=card, picked=False, pick_id=None, on_board_row=None) for card in cards
    )
    rows = tuple(
        BoardRowView(
            row=info.row.value,
            info=info,
            picks=(),
            note="",
            is_full=False,
            above=ROWS[index - 1] if index > 0 else None,
            below=ROWS[index + 1] if index + 1 < len(ROWS) else None,
        )
        for index, info in enumerate(ROWS)
    )
    return {
        "c": ConversationRef(id=0, is_open=False, revision=0, preview=True),
        "status": StatusStepView(
            cards=offered, chosen=(), can_pick_more=True, max_cards=MAX_STATUS_CARDS
        ),
        "board": BoardStepView(cards=offered, rows=rows),
    }
