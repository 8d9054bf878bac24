from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.decks.service import load_default_decks
from app.models import Card, Deck, DeckStatus
from tests.factories import write_deck

MANIFEST = """
[deck]
name = "Prøve"
name_en = "Sample"
purpose = "inspiration"

[[cards]]
file = "b.webp"
title = { da = "Bi", en = "Bee" }
alt = { da = "En bi", en = "A bee" }
"""


def test_default_decks_load_once(session: Session, tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    write_deck(cards / "proeve", ["a.jpg", "b.webp"], MANIFEST)
    assert load_default_decks(session, cards_dir=cards, max_pixels=10**7) == ["loaded proeve"]
    assert load_default_decks(session, cards_dir=cards, max_pixels=10**7) == []
    deck = session.exec(select(Deck)).one()
    titles = [c.title_da for c in session.exec(select(Card).order_by(Card.position))]  # type: ignore[arg-type]
    assert (deck.name_en, deck.purpose, titles) == ("Sample", "inspiration", ["Bi", "A"])


def test_changed_default_deck_archives_the_old_one(session: Session, tmp_path: Path) -> None:
    cards = tmp_path / "cards"
    folder = write_deck(cards / "proeve", ["a.jpg", "b.webp"], MANIFEST)
    load_default_decks(session, cards_dir=cards, max_pixels=10**7)
    (folder / "deck.toml").write_text(MANIFEST.replace('"Bi"', '"Honningbi"'), encoding="utf-8")
    assert load_default_decks(session, cards_dir=cards, max_pixels=10**7) == ["updated proeve"]
    decks = {d.slug: d for d in session.exec(select(Deck))}
    assert decks["proeve"].status == DeckStatus.published
    archived = [d for d in decks.values() if d.status == DeckStatus.archived]
    assert len(archived) == 1
    # The old deck's cards are still there for the conversations that used them.
    assert len(session.exec(select(Card).where(Card.deck_id == archived[0].id)).all()) == 2


def test_corrupt_image_refuses_only_that_deck_and_names_the_file(
    session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cards = tmp_path / "cards"
    write_deck(cards / "good", ["a.jpg"], '[deck]\nname = "God"\n')
    bad = write_deck(cards / "bad", ["a.jpg", "b.jpg"], '[deck]\nname = "Dårlig"\n')
    (bad / "b.jpg").write_bytes((bad / "b.jpg").read_bytes()[:300])
    with caplog.at_level(logging.ERROR):
        report = load_default_decks(session, cards_dir=cards, max_pixels=10**7)
    assert report == ["refused bad", "loaded good"]
    assert "b.jpg" in caplog.text
    assert [d.slug for d in session.exec(select(Deck))] == ["good"]
    assert len(session.exec(select(Card)).all()) == 1
