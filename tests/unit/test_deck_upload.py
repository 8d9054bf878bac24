"""A refused upload keeps its good files (already processed) for a day, so the facilitator
fixes only the bad one; the deck appears the moment every file passes (DESIGN §3)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.decks.upload import service as upload
from app.decks.upload.views import report
from app.decks.zipcheck import UploadLimits
from app.errors import DomainError, NotFound
from app.models import Card, Deck, DeckStatus, Image
from app.models.decks import DeckUpload, DeckUploadFile, DeckUploadVariant, UploadStatus
from tests import deck_fixtures as fx
from tests.support import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LIMITS = UploadLimits()
MANIFEST = b"""
[deck]
name = { da = "Vores billeder", en = "Our pictures" }
[[cards]]
file = "sol.jpg"
title = { da = "Sol", en = "Sun" }
[[cards]]
file = "regn.jpg"
"""


@pytest.fixture
def owner(session: Session) -> int:
    user = accounts.create_user(
        session, email="fac@example.org", name="Fac", role="facilitator", password=PASSWORD
    )
    return user.id or 0


def incoming(name: str, data: bytes) -> upload.IncomingFile:
    return upload.IncomingFile(name=name, stream=io.BytesIO(data))


def receive(session: Session, owner: int, *files: upload.IncomingFile, key: str = "") -> DeckUpload:
    return upload.receive_upload(
        session,
        key=key or upload.new_key(),
        owner_id=owner,
        files=list(files),
        default_name="Nyt kortsæt",
        limits=LIMITS,
        now=NOW,
    )


def good_and_bad_zip() -> bytes:
    sol, _, blad = fx.distinct_photos(3)
    return fx.make_zip(
        [
            ("deck.toml", MANIFEST),
            ("sol.jpg", sol),
            ("regn.jpg", fx.truncated_jpeg()),
            ("blad.jpg", blad),
        ]
    )


def test_a_clean_upload_becomes_a_draft_deck_at_once(session: Session, owner: int) -> None:
    sol, regn = fx.distinct_photos(2)
    zip_data = fx.make_zip([("deck.toml", MANIFEST), ("sol.jpg", sol), ("regn.jpg", regn)])
    result = receive(session, owner, incoming("billeder.zip", zip_data))
    assert result.status == UploadStatus.imported
    deck = session.get(Deck, result.deck_id)
    assert deck is not None
    assert (deck.name_da, deck.name_en, deck.status) == ("Vores billeder", "Our pictures", "draft")
    assert deck.created_by_id == owner
    cards = session.exec(select(Card).where(Card.deck_id == deck.id).order_by(col(Card.position)))
    assert [(c.file_name, c.title_da, c.title_en) for c in cards] == [
        ("sol.jpg", "Sol", "Sun"),
        ("regn.jpg", "Regn", ""),
    ]
    # The staged copies are gone once the deck holds the images.
    assert session.exec(select(DeckUploadFile)).all() == []
    assert session.exec(select(DeckUploadVariant)).all() == []
    assert (result.done, result.total) == (3, 3)


def test_images_picked_in_the_browser_are_titled_by_their_names(
    session: Session, owner: int
) -> None:
    a, b = fx.distinct_photos(2)
    result = receive(
        session, owner, incoming("03_solopgang.jpg", a), incoming("C:\\fotos\\hav-og-strand.png", b)
    )
    deck = session.get(Deck, result.deck_id)
    assert deck is not None and deck.name_da == "Nyt kortsæt"
    titles = sorted(c.title_da for c in session.exec(select(Card).where(Card.deck_id == deck.id)))
    assert titles == ["Hav og strand", "Solopgang"]


def test_a_refused_upload_keeps_its_good_files_processed(session: Session, owner: int) -> None:
    result = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    assert result.status == UploadStatus.refused
    assert session.exec(select(Deck)).all() == [] and session.exec(select(Image)).all() == []
    rows = {r.name: r for r in session.exec(select(DeckUploadFile))}
    assert set(rows) == {"sol.jpg", "regn.jpg", "blad.jpg"}
    assert rows["regn.jpg"].problem == "The image file is damaged or incomplete."
    assert rows["sol.jpg"].problem is None and rows["sol.jpg"].image_sha256
    variants = session.exec(
        select(DeckUploadVariant.width).where(DeckUploadVariant.file_id == rows["sol.jpg"].id)
    ).all()
    assert sorted(variants) == [320, 640]  # a 640 px wide photo: two variants, ready
    view = report(session, upload=result, now=NOW)
    assert [(line.file, line.message) for line in view.problems] == [
        ("regn.jpg", "The image file is damaged or incomplete.")
    ]
    assert {line.file for line in view.fine} == {"sol.jpg", "blad.jpg"}
    assert view.problems[0].replace_as == "regn.jpg"


def test_replacing_only_the_bad_file_creates_the_deck(session: Session, owner: int) -> None:
    result = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    fixed = upload.add_files(
        session,
        key=result.key,
        owner_id=owner,
        files=[incoming("regn-ny.png", fx.photo(fmt="PNG", colour=(10, 20, 30)))],
        as_name="regn.jpg",
        limits=LIMITS,
        now=NOW + timedelta(minutes=5),
    )
    assert fixed.status == UploadStatus.imported
    cards = session.exec(
        select(Card).where(Card.deck_id == fixed.deck_id).order_by(col(Card.position))
    )
    # deck.toml's order and titles hold: the replacement took the bad file's name.
    assert [(c.file_name, c.title_da) for c in cards] == [
        ("sol.jpg", "Sol"),
        ("regn.jpg", "Regn"),
        ("blad.jpg", "Blad"),
    ]


def test_leaving_the_bad_file_out_is_not_enough_when_deck_toml_lists_it(
    session: Session, owner: int
) -> None:
    result = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    bad = session.exec(select(DeckUploadFile).where(DeckUploadFile.name == "regn.jpg")).one()
    after = upload.remove_file(
        session, key=result.key, owner_id=owner, file_id=bad.id or 0, now=NOW
    )
    assert after.status == UploadStatus.refused
    view = report(session, upload=after, now=NOW)
    assert [(p.file, p.kind, p.message) for p in view.problems] == [
        ("regn.jpg", "missing", "Listed in deck.toml but not in the upload.")
    ]
    # Going on without deck.toml: the cards are titled by their file names.
    done = upload.drop_manifest(session, key=result.key, owner_id=owner, now=NOW)
    assert done.status == UploadStatus.imported
    titles = {c.title_da for c in session.exec(select(Card).where(Card.deck_id == done.deck_id))}
    assert titles == {"Sol", "Blad"}


def test_a_corrected_manifest_replaces_the_broken_one(session: Session, owner: int) -> None:
    sol = fx.photo()
    broken = b'[deck]\nname = "Vores"\n\n[[cards]]\nfile = sol.jpg\n'
    result = receive(
        session, owner, incoming("b.zip", fx.make_zip([("deck.toml", broken), ("sol.jpg", sol)]))
    )
    view = report(session, upload=result, now=NOW)
    assert [(p.file, p.kind, p.params.get("line")) for p in view.problems] == [
        ("deck.toml", "manifest", 5)
    ]
    fixed = upload.add_files(
        session,
        key=result.key,
        owner_id=owner,
        files=[incoming("deck (2).toml", broken.replace(b"sol.jpg", b'"sol.jpg"'))],
        as_name="deck.toml",
        limits=LIMITS,
        now=NOW,
    )
    assert fixed.status == UploadStatus.imported
    assert session.get(Deck, fixed.deck_id).name_da == "Vores"  # type: ignore[union-attr]


def test_an_upload_is_only_its_owners(session: Session, owner: int) -> None:
    result = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    other = accounts.create_user(
        session, email="other@example.org", name="O", role="facilitator", password=PASSWORD
    )
    with pytest.raises(NotFound):
        upload.own_upload(session, key=result.key, owner_id=other.id or 0)
    with pytest.raises(NotFound):
        upload.discard_upload(session, key=result.key, owner_id=other.id or 0)


def test_the_same_key_twice_is_refused(session: Session, owner: int) -> None:
    key = upload.new_key()
    receive(session, owner, incoming("a.jpg", fx.photo()), key=key)
    with pytest.raises(DomainError):
        receive(session, owner, incoming("a.jpg", fx.photo()), key=key)


def test_nothing_chosen_is_a_clear_message(session: Session, owner: int) -> None:
    with pytest.raises(DomainError) as error:
        receive(session, owner)
    assert "zip file or some images" in error.value.message


def test_uploads_are_purged_after_a_day_but_their_decks_stay(session: Session, owner: int) -> None:
    refused = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    done = receive(session, owner, incoming("sol.jpg", fx.photo()))
    assert upload.purge_expired(session, now=NOW + timedelta(hours=23)) == 0
    assert upload.purge_expired(session, now=NOW + timedelta(hours=25)) == 2
    session.commit()
    assert session.exec(select(DeckUpload)).all() == []
    assert session.exec(select(DeckUploadFile)).all() == []
    assert session.exec(select(DeckUploadVariant)).all() == []
    assert session.get(Deck, done.deck_id) is not None
    assert refused.deck_id is None


def test_an_image_already_stored_is_recognised_not_processed_again(
    session: Session, owner: int
) -> None:
    data = fx.photo()
    first = receive(session, owner, incoming("sol.jpg", data))
    second = receive(session, owner, incoming("sol.jpg", data))
    assert first.deck_id != second.deck_id
    (a,) = session.exec(select(Card).where(Card.deck_id == first.deck_id))
    (b,) = session.exec(select(Card).where(Card.deck_id == second.deck_id))
    assert a.image_sha256 == b.image_sha256
    assert len(session.exec(select(Image)).all()) == 1


def test_progress_counts_every_file(session: Session, owner: int) -> None:
    result = receive(session, owner, incoming("billeder.zip", good_and_bad_zip()))
    assert (result.done, result.total) == (4, 4)
    assert result.status != DeckStatus.published
