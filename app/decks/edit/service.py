"""Editing a deck in the browser, and its lifecycle: draft → published → archived (DESIGN §3).

A card that anything refers to (a conversation's pick) is never changed or deleted: an edit
makes a new version of it and retires the old row, so every record keeps what it showed.
Which tables refer to cards is read from the database, so a new one is covered by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, MetaData, Table, inspect, literal
from sqlmodel import Session, select

from app.db import write_transaction, writes
from app.decks.files import KnownImage, examine
from app.decks.service import current_cards, find_known_image, get_deck
from app.decks.zipcheck import UploadLimits
from app.errors import N_, DomainError, NotFound
from app.media.pipeline import ProcessedImage
from app.media.service import store_image
from app.models import Card, Deck, DeckPurpose, DeckStatus

# Status: the employee picks 1–3, so at least 3 to choose from; the board holds 3 × 3.
MIN_CARDS = {DeckPurpose.status: 3, DeckPurpose.inspiration: 9}
LANGUAGES = ("da", "en")
_TRANSITIONS = {
    (DeckStatus.draft, DeckStatus.published),
    (DeckStatus.draft, DeckStatus.archived),
    (DeckStatus.published, DeckStatus.archived),
    (DeckStatus.archived, DeckStatus.published),
}
_CARD_CONTENT = ("title_da", "title_en", "alt_da", "alt_en", "theme", "image_sha256")


def _card_references(session: Session) -> list[tuple[Table, Column[Any]]]:
    """(table, column) for every foreign key to cards.id in the database, outside cards.
    Read from the database itself, so a table added by a later migration counts at once."""
    inspector = inspect(session.connection())
    found: list[tuple[Table, Column[Any]]] = []
    for name in inspector.get_table_names():
        if name == Card.__tablename__:
            continue
        for fk in inspector.get_foreign_keys(name):
            if fk["referred_table"] == Card.__tablename__ and fk["referred_columns"] == ["id"]:
                for column_name in fk["constrained_columns"]:
                    table = Table(name, MetaData(), Column(column_name))
                    found.append((table, table.c[column_name]))
    return found


def used_card_ids(session: Session, card_ids: Sequence[int]) -> set[int]:
    """The cards among ``card_ids`` that some other row refers to."""
    used: set[int] = set()
    if not card_ids:
        return used
    for table, column in _card_references(session):
        query = select(column).select_from(table).where(column.in_(list(card_ids))).distinct()
        used.update(int(value) for value in session.exec(query) if value is not None)
    return used


def card_is_used(session: Session, card_id: int) -> bool:
    for table, column in _card_references(session):
        query = select(literal(1)).select_from(table).where(column == card_id).limit(1)
        if session.exec(query).first() is not None:
            return True
    return False


# -- loaders -------------------------------------------------------------------------------


def editable_deck(session: Session, slug: str) -> Deck:
    """The one loader: NotFound (404) when there is no such deck."""
    return get_deck(session, slug)


def _current_card(session: Session, deck: Deck, card_id: int) -> Card:
    card = session.get(Card, card_id)
    if card is None or card.deck_id != deck.id:
        raise NotFound()
    if card.retired_at is not None:
        raise DomainError(
            N_("That card was changed or removed meanwhile. Reload the page and try again."),
            status_code=409,
        )
    return card


def _writable(session: Session, card: Card, now: datetime) -> Card:
    """The card itself, or a new version of it when a record refers to this one."""
    if not card_is_used(session, card.id or 0):
        return card
    new = Card(
        deck_id=card.deck_id,
        position=card.position,
        file_name=card.file_name,
        title_da=card.title_da,
        title_en=card.title_en,
        alt_da=card.alt_da,
        alt_en=card.alt_en,
        theme=card.theme,
        image_sha256=card.image_sha256,
        source=card.source,
        author=card.author,
        licence=card.licence,
        is_cover=card.is_cover,
        version=card.version + 1,
        previous_id=card.id,
        created_at=now,
    )
    card.retired_at = now
    card.is_cover = False
    session.add(card)
    session.add(new)
    session.flush()
    return new


def _touch(session: Session, deck: Deck, now: datetime) -> None:
    deck.updated_at = now
    session.add(deck)


def _text(value: str, limit: int) -> str:
    """One line of text, spaces tidied; the form's maxlength says the same to the browser."""
    value = " ".join(value.split())
    if len(value) > limit:
        raise DomainError(N_("A text is too long (at most %(n)d characters)."), n=limit)
    return value


# -- the deck ------------------------------------------------------------------------------


@writes
def update_deck(
    session: Session,
    *,
    slug: str,
    name_da: str,
    name_en: str,
    description_da: str,
    description_en: str,
    purpose: str,
    language: str,
    licence: str,
    attribution: str,
    now: datetime,
) -> Deck:
    deck = editable_deck(session, slug)
    name_da = _text(name_da, 200)
    if not name_da:
        raise DomainError(N_("The deck needs a Danish name."))
    if purpose not in set(DeckPurpose):
        raise DomainError(
            N_("Choose whether the deck is for the Status or the Job satisfaction step.")
        )
    if purpose != deck.purpose and deck.status != DeckStatus.draft:
        raise DomainError(
            N_("The purpose of a published deck cannot change: conversations may use it already.")
        )
    if language not in LANGUAGES:
        raise DomainError(N_("Choose Danish or English as the deck's language."))
    deck.name_da = name_da
    deck.name_en = _text(name_en, 200) or name_da
    deck.description_da = description_da.strip()[:2000]
    deck.description_en = description_en.strip()[:2000]
    deck.purpose = purpose
    deck.language = language
    deck.licence = _text(licence, 200)
    deck.attribution = attribution.strip()[:1000]
    _touch(session, deck, now)
    return deck


@writes
def change_status(session: Session, *, slug: str, status: str, now: datetime) -> Deck:
    """Publish (offered when a leader plans a conversation), archive (kept for old records,
    no longer offered), or publish again."""
    deck = editable_deck(session, slug)
    if (deck.status, status) not in _TRANSITIONS:
        raise DomainError(N_("That is not possible for a deck in this state."))
    if status == DeckStatus.published:
        needed = MIN_CARDS[DeckPurpose(deck.purpose)]
        count = len(current_cards(session, deck.id or 0))
        if count < needed:
            raise DomainError(
                N_("A deck needs at least %(n)d cards to be published; this one has %(count)d."),
                n=needed,
                count=count,
            )
        deck.published_at = now
    if status == DeckStatus.archived:
        deck.archived_at = now
    deck.status = status
    _touch(session, deck, now)
    return deck


# -- cards ---------------------------------------------------------------------------------


@writes
def update_card(
    session: Session,
    *,
    slug: str,
    card_id: int,
    title_da: str,
    title_en: str,
    alt_da: str,
    alt_en: str,
    theme: str,
    now: datetime,
) -> Card:
    """New texts for a card; a new version when a record refers to the old one."""
    deck = editable_deck(session, slug)
    card = _current_card(session, deck, card_id)
    values = {
        "title_da": _text(title_da, 200),
        "title_en": _text(title_en, 200),
        "alt_da": _text(alt_da, 500),
        "alt_en": _text(alt_en, 500),
        "theme": _text(theme, 80).lower(),
    }
    if not values["title_da"]:
        raise DomainError(N_("A card needs a Danish title."))
    if all(getattr(card, key) == value for key, value in values.items()):
        return card
    card = _writable(session, card, now)
    for key, value in values.items():
        setattr(card, key, value)
    session.add(card)
    _touch(session, deck, now)
    return card


def replace_card_image(
    session: Session,
    *,
    slug: str,
    card_id: int,
    data: bytes,
    file_name: str,
    limits: UploadLimits,
    now: datetime,
) -> Card:
    """A new picture for a card, checked like an upload; the old one stays for old records.
    Decoded before the write transaction: nobody waits for SQLite's write lock meanwhile."""
    examined = examine(
        data, name=file_name, limits=limits, known=lambda sha: find_known_image(session, sha)
    )
    if examined.problem is not None:
        raise DomainError(examined.problem.message, 422, **examined.problem.params)
    image: ProcessedImage | KnownImage = examined.image or examined.known  # type: ignore[assignment]
    with write_transaction(session):
        return _store_card_image(session, slug=slug, card_id=card_id, image=image, now=now)


def _store_card_image(
    session: Session, *, slug: str, card_id: int, image: ProcessedImage | KnownImage, now: datetime
) -> Card:
    deck = editable_deck(session, slug)
    card = _current_card(session, deck, card_id)
    if image.sha256 == card.image_sha256:
        return card
    for other in current_cards(session, deck.id or 0):
        if other.image_sha256 == image.sha256:
            raise DomainError(
                N_("That picture is already the card %(title)s in this deck."), title=other.title_da
            )
    if isinstance(image, ProcessedImage):
        store_image(session, image)
    card = _writable(session, card, now)
    card.image_sha256 = image.sha256
    session.add(card)
    _touch(session, deck, now)
    return card


@writes
def remove_card(session: Session, *, slug: str, card_id: int, now: datetime) -> None:
    """Take a card out of the deck; the row stays for the records that used it."""
    deck = editable_deck(session, slug)
    card = _current_card(session, deck, card_id)
    remaining = len(current_cards(session, deck.id or 0)) - 1
    needed = MIN_CARDS[DeckPurpose(deck.purpose)]
    if deck.status == DeckStatus.published and remaining < needed:
        raise DomainError(
            N_("A published deck needs at least %(n)d cards. Add one first, or archive the deck."),
            n=needed,
        )
    card.retired_at = now
    card.is_cover = False
    session.add(card)
    _touch(session, deck, now)


@writes
def set_cover(session: Session, *, slug: str, card_id: int, now: datetime) -> None:
    """The card shown on top of the deck in the list."""
    deck = editable_deck(session, slug)
    chosen = _current_card(session, deck, card_id)
    for card in current_cards(session, deck.id or 0):
        card.is_cover = card.id == chosen.id
        session.add(card)
    _touch(session, deck, now)


@writes
def move_card(session: Session, *, slug: str, card_id: int, offset: int, now: datetime) -> None:
    """One place earlier (-1) or later (+1): the buttons beside each card."""
    deck = editable_deck(session, slug)
    cards = current_cards(session, deck.id or 0)
    ids = [card.id for card in cards]
    if card_id not in ids:
        _current_card(session, deck, card_id)  # a 404 or "changed meanwhile"
    index = ids.index(card_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    _renumber(session, cards, [i for i in ids if i is not None])
    _touch(session, deck, now)


@writes
def reorder_cards(session: Session, *, slug: str, card_ids: Sequence[int], now: datetime) -> None:
    """The order after dragging: every current card exactly once."""
    deck = editable_deck(session, slug)
    cards = current_cards(session, deck.id or 0)
    if sorted(card_ids) != sorted(card.id or 0 for card in cards):
        raise DomainError(
            N_("The deck changed meanwhile. Reload the page and try again."), status_code=409
        )
    _renumber(session, cards, list(card_ids))
    _touch(session, deck, now)


def _renumber(session: Session, cards: list[Card], order: list[int]) -> None:
    position = {card_id: n for n, card_id in enumerate(order)}
    for card in cards:
        # Position is where the card lies, not what it shows: no new version for moving.
        card.position = position[card.id or 0]
        session.add(card)
