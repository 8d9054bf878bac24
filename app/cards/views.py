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
    RowInfo,
    TextLimits,
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


@dataclass(frozen=True)
class PreviewRef:
    """Stands where the conversation does: no id to post to, nothing open, so no links."""

    id: int = 0
    is_open: bool = False
    revision: int = 0
    preview: bool = True
    limits: TextLimits = LIMITS


@dataclass(frozen=True)
class PreviewCard:
    card: CardView
    picked: bool = False
    pick_id: int | None = None
    on_board_row: str | None = None


@dataclass(frozen=True)
class PreviewStatus:
    cards: tuple[PreviewCard, ...]
    max_cards: int
    chosen: tuple[()] = ()
    can_pick_more: bool = True


@dataclass(frozen=True)
class PreviewRow:
    row: str
    info: RowInfo
    above: RowInfo | None
    below: RowInfo | None
    picks: tuple[()] = ()
    note: str = ""
    is_full: bool = False
    empty_slots: range = range(MAX_PER_ROW)


@dataclass(frozen=True)
class PreviewBoard:
    cards: tuple[PreviewCard, ...]
    rows: tuple[PreviewRow, ...]


def deck_preview(cards: tuple[CardView, ...]) -> dict[str, object]:
    """A deck in the Status and Arbejdsglæde steps' own views, for its preview: no
    conversation behind it, so every link to the server is left out and nothing is saved."""
    offered = tuple(PreviewCard(card=card) for card in cards)
    rows = tuple(
        PreviewRow(
            row=info.row.value,
            info=info,
            above=ROWS[index - 1] if index > 0 else None,
            below=ROWS[index + 1] if index + 1 < len(ROWS) else None,
        )
        for index, info in enumerate(ROWS)
    )
    return {
        "c": PreviewRef(),
        "status": PreviewStatus(cards=offered, max_cards=MAX_STATUS_CARDS),
        "board": PreviewBoard(cards=offered, rows=rows),
    }
