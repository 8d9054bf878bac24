"""Editing a deck: texts, order, cover, pictures, removal and the lifecycle; a card that a
record refers to is never changed in place or deleted (DESIGN §3)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.decks import archive, service
from app.decks.edit import service as editing
from app.decks.edit.views import editor_view
from app.decks.zipcheck import UploadLimits
from app.errors import DomainError
from app.models import Card, Deck, DeckStatus
from tests import deck_fixtures as fx

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
LIMITS = UploadLimits()


def make_deck(session: Session, n: int = 4, *, status: str = DeckStatus.draft) -> Deck:
    names = ["sol", "regn", "blad", "hav", "sky", "bro", "vej", "sten", "eng", "fjord"][:n]
    entries = [
        (f"{name}.jpg", data) for name, data in zip(names, fx.distinct_photos(n), strict=True)
    ]
    return archive.import_archive(
        session,
        stream=io.BytesIO(fx.make_zip(entries)),
        zip_name="vores-billeder.zip",
        limits=LIMITS,
        status=status,
        now=NOW,
    )


def titles(session: Session, deck: Deck) -> list[str]:
    return [c.title_da for c in service.current_cards(session, deck.id or 0)]


def refer_to(session: Session, card_id: int) -> None:
    """A row elsewhere that refers to the card, as a conversation's pick does."""
    session.exec(  # type: ignore[call-overload]
        text("CREATE TABLE IF NOT EXISTS test_refs (card_id INTEGER NOT NULL REFERENCES cards(id))")
    )
    session.exec(text("INSERT INTO test_refs (card_id) VALUES (:id)").bindparams(id=card_id))  # type: ignore[call-overload]
    session.commit()


def first_card(session: Session, deck: Deck) -> Card:
    return service.current_cards(session, deck.id or 0)[0]


def edit(session: Session, deck: Deck, card: Card, **changes: str) -> Card:
    values = {
        "title_da": card.title_da,
        "title_en": card.title_en,
        "alt_da": card.alt_da,
        "alt_en": card.alt_en,
        "theme": card.theme,
        **changes,
    }
    return editing.update_card(session, slug=deck.slug, card_id=card.id or 0, now=LATER, **values)


def test_titles_default_from_file_names_and_are_edited_in_place_while_unused(
    session: Session,
) -> None:
    deck = make_deck(session)
    assert titles(session, deck) == ["Blad", "Hav", "Regn", "Sol"]
    card = first_card(session, deck)
    changed = edit(
        session,
        deck,
        card,
        title_da="Efterårsblad",
        title_en="Autumn leaf",
        alt_en="A leaf",
        theme="Forandring",
    )
    assert changed.id == card.id and changed.version == 1
    assert (changed.title_en, changed.alt_en, changed.theme) == (
        "Autumn leaf",
        "A leaf",
        "forandring",
    )
    assert len(session.exec(select(Card)).all()) == 4


def test_a_used_card_gets_a_new_version_and_the_old_one_stays(session: Session) -> None:
    deck = make_deck(session)
    card = first_card(session, deck)
    refer_to(session, card.id or 0)
    assert editing.card_is_used(session, card.id or 0)
    new = edit(session, deck, card, title_da="Efterårsblad")
    assert new.id != card.id and (new.version, new.previous_id) == (2, card.id)
    old = session.get(Card, card.id)
    assert old is not None and old.title_da == "Blad" and old.retired_at == LATER
    assert titles(session, deck)[0] == "Efterårsblad"
    # Nothing changed: no new version.
    assert edit(session, deck, new, title_da="Efterårsblad").id == new.id


def test_a_new_picture_for_a_used_card_is_a_new_version_too(session: Session) -> None:
    deck = make_deck(session)
    card = first_card(session, deck)
    refer_to(session, card.id or 0)
    new = editing.replace_card_image(
        session,
        slug=deck.slug,
        card_id=card.id or 0,
        data=fx.photo(colour=(1, 200, 3)),
        file_name="nyt.jpg",
        limits=LIMITS,
        now=LATER,
    )
    assert new.id != card.id and new.image_sha256 != card.image_sha256
    assert session.get(Card, card.id).image_sha256 == card.image_sha256  # type: ignore[union-attr]
    assert new.file_name == card.file_name


def test_a_bad_new_picture_is_refused_with_its_reason(session: Session) -> None:
    deck = make_deck(session)
    card = first_card(session, deck)
    with pytest.raises(DomainError) as error:
        editing.replace_card_image(
            session,
            slug=deck.slug,
            card_id=card.id or 0,
            data=fx.svg(),
            file_name="x.svg",
            limits=LIMITS,
            now=LATER,
        )
    assert "SVG" in error.value.message
    with pytest.raises(DomainError) as error:
        other = service.current_cards(session, deck.id or 0)[1]
        picture = session.exec(select(Card.image_sha256).where(Card.id == other.id)).one()
        assert picture
        data = fx.distinct_photos(4)[["sol", "regn", "blad", "hav"].index(other.file_name[:-4])]
        editing.replace_card_image(
            session,
            slug=deck.slug,
            card_id=card.id or 0,
            data=data,
            file_name="dup.jpg",
            limits=LIMITS,
            now=LATER,
        )
    assert "already the card" in error.value.message


def test_move_by_buttons_and_by_dragging(session: Session) -> None:
    deck = make_deck(session)
    cards = service.current_cards(session, deck.id or 0)
    editing.move_card(session, slug=deck.slug, card_id=cards[2].id or 0, offset=-1, now=LATER)
    assert titles(session, deck) == ["Blad", "Regn", "Hav", "Sol"]
    editing.move_card(session, slug=deck.slug, card_id=cards[0].id or 0, offset=-1, now=LATER)
    assert titles(session, deck) == ["Blad", "Regn", "Hav", "Sol"]  # already first
    order = [c.id or 0 for c in reversed(service.current_cards(session, deck.id or 0))]
    editing.reorder_cards(session, slug=deck.slug, card_ids=order, now=LATER)
    assert titles(session, deck) == ["Sol", "Hav", "Regn", "Blad"]
    with pytest.raises(DomainError):
        editing.reorder_cards(session, slug=deck.slug, card_ids=order[:2], now=LATER)


def test_remove_keeps_the_row_and_the_cover_is_one_card(session: Session) -> None:
    deck = make_deck(session)
    cards = service.current_cards(session, deck.id or 0)
    editing.set_cover(session, slug=deck.slug, card_id=cards[1].id or 0, now=LATER)
    editing.set_cover(session, slug=deck.slug, card_id=cards[2].id or 0, now=LATER)
    covers = [c.title_da for c in service.current_cards(session, deck.id or 0) if c.is_cover]
    assert covers == ["Regn"]
    view = service.list_decks(session, lang="da", statuses=[DeckStatus.draft])[0]
    assert view.cover is not None and view.cover.title == "Regn"
    editing.remove_card(session, slug=deck.slug, card_id=cards[0].id or 0, now=LATER)
    assert titles(session, deck) == ["Hav", "Regn", "Sol"]
    assert session.get(Card, cards[0].id) is not None
    with pytest.raises(DomainError):
        edit(session, deck, cards[0], title_da="Gone")


def test_lifecycle_draft_published_archived_and_back(session: Session) -> None:
    deck = make_deck(session, n=2)
    with pytest.raises(DomainError) as error:
        editing.change_status(session, slug=deck.slug, status=DeckStatus.published, now=LATER)
    assert error.value.params == {"n": 3, "count": 2}
    deck = make_deck(session, n=3)
    editing.change_status(session, slug=deck.slug, status=DeckStatus.published, now=LATER)
    assert (deck.status, deck.published_at) == ("published", LATER)
    # A leader's list shows it now; a published deck keeps its minimum and its purpose.
    assert [d.slug for d in service.list_decks(session, lang="da")] == [deck.slug]
    with pytest.raises(DomainError):
        editing.remove_card(
            session, slug=deck.slug, card_id=first_card(session, deck).id or 0, now=LATER
        )
    with pytest.raises(DomainError):
        editing.update_deck(
            session,
            slug=deck.slug,
            name_da="X",
            name_en="",
            description_da="",
            description_en="",
            purpose="inspiration",
            language="da",
            licence="",
            attribution="",
            now=LATER,
        )
    with pytest.raises(DomainError):
        editing.change_status(session, slug=deck.slug, status=DeckStatus.draft, now=LATER)
    editing.change_status(session, slug=deck.slug, status=DeckStatus.archived, now=LATER)
    assert service.list_decks(session, lang="da") == []
    editing.change_status(session, slug=deck.slug, status=DeckStatus.published, now=LATER)
    assert deck.status == "published"


def test_an_inspiration_deck_needs_nine_cards_to_fill_the_board(session: Session) -> None:
    deck = make_deck(session, n=8)
    editing.update_deck(
        session,
        slug=deck.slug,
        name_da="Ord",
        name_en="Words",
        description_da="",
        description_en="",
        purpose="inspiration",
        language="da",
        licence="CC0-1.0",
        attribution="Os",
        now=LATER,
    )
    view = editor_view(session, slug=deck.slug, lang="en")
    assert (view.purpose, view.min_cards, view.can_publish, view.name) == (
        "inspiration",
        9,
        False,
        "Words",
    )
    with pytest.raises(DomainError):
        editing.change_status(session, slug=deck.slug, status=DeckStatus.published, now=LATER)


def test_deck_fields_are_checked(session: Session) -> None:
    deck = make_deck(session)
    base = {
        "slug": deck.slug,
        "name_da": "Navn",
        "name_en": "",
        "description_da": "",
        "description_en": "",
        "purpose": "status",
        "language": "da",
        "licence": "",
        "attribution": "",
        "now": LATER,
    }
    for bad in (
        {"name_da": "  "},
        {"purpose": "other"},
        {"language": "de"},
        {"name_da": "x" * 201},
    ):
        with pytest.raises(DomainError):
            editing.update_deck(session, **{**base, **bad})  # type: ignore[arg-type]
    saved = editing.update_deck(session, **base)  # type: ignore[arg-type]
    assert (saved.name_da, saved.name_en) == ("Navn", "Navn")


def test_editor_view_marks_used_cards_and_ends(session: Session) -> None:
    deck = make_deck(session)
    cards = service.current_cards(session, deck.id or 0)
    refer_to(session, cards[1].id or 0)
    view = editor_view(session, slug=deck.slug, lang="da")
    assert [c.in_use for c in view.cards] == [False, True, False, False]
    assert (view.cards[0].is_first, view.cards[-1].is_last, view.cards[0].number) == (True, True, 1)
    assert all(c.thumb is not None for c in view.cards)
    assert session.exec(select(Card).where(col(Card.retired_at).is_not(None))).all() == []
