"""What the deck editor shows, prepared for its template (no counting in Jinja)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.decks.edit import service
from app.decks.service import current_cards
from app.media.service import VariantRef, variants_of
from app.models import Card, DeckPurpose, DeckStatus


@dataclass(frozen=True)
class CardEditView:
    id: int
    number: int
    file_name: str
    title_da: str
    title_en: str
    alt_da: str
    alt_en: str
    theme: str
    thumb: VariantRef | None
    large: VariantRef | None
    is_cover: bool
    is_first: bool
    is_last: bool
    version: int
    in_use: bool


@dataclass(frozen=True)
class DeckEditView:
    id: int
    slug: str
    name: str
    name_da: str
    name_en: str
    description_da: str
    description_en: str
    purpose: str
    language: str
    licence: str
    attribution: str
    status: str
    is_default: bool
    cards: tuple[CardEditView, ...]
    themes: tuple[str, ...]
    min_cards: int
    can_publish: bool
    can_archive: bool
    purpose_locked: bool


def editor_view(session: Session, *, slug: str, lang: str) -> DeckEditView:
    deck = service.editable_deck(session, slug)
    cards = current_cards(session, deck.id or 0)
    variants = variants_of(session, [card.image_sha256 for card in cards])
    used = service.used_card_ids(session, [card.id or 0 for card in cards])
    views = tuple(
        CardEditView(
            id=card.id or 0,
            number=n + 1,
            file_name=card.file_name,
            title_da=card.title_da,
            title_en=card.title_en,
            alt_da=card.alt_da,
            alt_en=card.alt_en,
            theme=card.theme,
            thumb=variants[card.image_sha256][0] if variants[card.image_sha256] else None,
            large=variants[card.image_sha256][-1] if variants[card.image_sha256] else None,
            is_cover=card.is_cover,
            is_first=n == 0,
            is_last=n == len(cards) - 1,
            version=card.version,
            in_use=(card.id or 0) in used,
        )
        for n, card in enumerate(cards)
    )
    needed = service.MIN_CARDS[DeckPurpose(deck.purpose)]
    return DeckEditView(
        id=deck.id or 0,
        slug=deck.slug,
        name=deck.name(lang),
        name_da=deck.name_da,
        name_en=deck.name_en,
        description_da=deck.description_da,
        description_en=deck.description_en,
        purpose=deck.purpose,
        language=deck.language,
        licence=deck.licence,
        attribution=deck.attribution,
        status=deck.status,
        is_default=deck.is_default,
        cards=views,
        themes=tuple(sorted({card.theme for card in cards if card.theme})),
        min_cards=needed,
        can_publish=deck.status != DeckStatus.published and len(cards) >= needed,
        can_archive=deck.status != DeckStatus.archived,
        purpose_locked=deck.status != DeckStatus.draft,
    )


def theme_suggestions(session: Session) -> list[str]:
    """Themes used in any current card: the editor offers them so decks stay consistent."""
    rows = session.exec(
        select(Card.theme).where(col(Card.retired_at).is_(None), Card.theme != "").distinct()
    )
    return sorted(set(rows))
