"""A deck as a zip, both ways (DESIGN §3, §7): ``deck.toml`` at the root and one image per
card, named as the manifest names it. Downloading a deck and uploading the zip again gives
the same deck: the images are recognised by their bytes, so even their hashes come back.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlmodel import Session, col, select

from app.decks import service
from app.decks.files import Examined, KnownImage, examine
from app.decks.manifest import (
    CardEntry,
    Manifest,
    dump_manifest,
    parse_manifest,
    title_from_file_name,
)
from app.decks.zipcheck import (
    MANIFEST,
    FileProblem,
    UploadLimits,
    manifest_text,
    sources_from_zip,
    stem,
)
from app.errors import DomainError, NotFound
from app.media.pipeline import ProcessedImage
from app.models import Card, Deck, DeckStatus, ImageVariant

# The same bytes for the same deck: no clock in the zip.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Exported:
    file_name: str
    data: bytes
    cards: int


def find_deck(session: Session, name: str) -> Deck:
    """A deck by slug or by its Danish or English name; a published one before a draft
    before an archived one, the newest first. NotFound when there is none."""
    deck = session.exec(select(Deck).where(Deck.slug == name)).first()
    if deck is not None:
        return deck
    wanted = name.strip().casefold()
    rank = {DeckStatus.published: 0, DeckStatus.draft: 1, DeckStatus.archived: 2}
    matches = [
        d
        for d in session.exec(select(Deck).order_by(col(Deck.id).desc()))
        if wanted in (d.name_da.casefold(), d.name_en.casefold())
    ]
    if not matches:
        raise NotFound()
    return min(matches, key=lambda d: rank.get(DeckStatus(d.status), 3))


def _file_names(cards: list[Card]) -> dict[int, str]:
    """Each card's file in the zip: its own name's stem with .webp, for WebP is what it is."""
    names: dict[int, str] = {}
    taken: set[str] = {MANIFEST}
    for card in cards:
        base = stem(card.file_name) or f"card-{card.position + 1}"
        name, n = f"{base}.webp", 1
        while name in taken:
            n += 1
            name = f"{base}-{n}.webp"
        taken.add(name)
        names[card.id or 0] = name
    return names


def deck_manifest(session: Session, deck: Deck) -> tuple[Manifest, list[tuple[str, str]]]:
    """The manifest of a deck as it is now, and (file name, image hash) per card."""
    cards = service.current_cards(session, deck.id or 0)
    names = _file_names(cards)
    cover = next((names[c.id or 0] for c in cards if c.is_cover), "")
    manifest = Manifest(
        name_da=deck.name_da,
        name_en=deck.name_en,
        purpose=deck.purpose,
        language=deck.language,
        licence=deck.licence,
        attribution=deck.attribution,
        description_da=deck.description_da,
        description_en=deck.description_en,
        cover=cover,
        cards=[
            CardEntry(
                file=names[card.id or 0],
                title_da=card.title_da,
                title_en=card.title_en,
                alt_da=card.alt_da,
                alt_en=card.alt_en,
                theme=card.theme,
                source=card.source,
                author=card.author,
                licence=card.licence,
            )
            for card in cards
        ],
    )
    return manifest, [(names[card.id or 0], card.image_sha256) for card in cards]


def _largest_variant(session: Session, image_sha256: str) -> bytes:
    data = session.exec(
        select(ImageVariant.data)
        .where(ImageVariant.image_sha256 == image_sha256)
        .order_by(col(ImageVariant.width).desc())
    ).first()
    if data is None:
        raise LookupError(image_sha256)
    return data


def export_deck(session: Session, *, deck: Deck) -> Exported:
    """The zip: deck.toml first, then each card's largest variant, in the deck's order."""
    manifest, files = deck_manifest(session, deck)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, MANIFEST, dump_manifest(manifest).encode("utf-8"), zipfile.ZIP_DEFLATED)
        for name, sha in files:
            # WebP is compressed already: stored, not deflated again.
            _write(archive, name, _largest_variant(session, sha), zipfile.ZIP_STORED)
    return Exported(file_name=f"{deck.slug}.zip", data=buffer.getvalue(), cards=len(files))


def _write(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def import_archive(
    session: Session,
    *,
    stream: IO[bytes],
    zip_name: str,
    limits: UploadLimits,
    status: str = DeckStatus.draft,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Deck:
    """A zip straight into a deck, for the command line: every file checked, nothing stored
    unless all pass (DeckRefused lists each bad file)."""
    try:
        sources = sources_from_zip(stream, zip_name=zip_name, limits=limits)
    except DomainError as error:
        raise service.DeckRefused([FileProblem(zip_name, error.message, error.params)]) from None
    default_name = title_from_file_name(zip_name)
    manifest = Manifest(name_da=default_name)
    problems: list[FileProblem] = []
    results: list[Examined] = []
    images = [s for s in sources if not s.is_manifest]
    for source in sources:
        if source.problem is not None:
            problems.append(source.problem)
            continue
        try:
            data = source.read()
            if source.is_manifest:
                manifest = parse_manifest(manifest_text(data), default_name=default_name)
                continue
        except DomainError as error:
            problems.append(FileProblem(source.name, error.message, error.params))
            continue
        examined = examine(
            data,
            name=source.name,
            limits=limits,
            known=lambda sha: service.find_known_image(session, sha),
        )
        if examined.problem is not None:
            problems.append(examined.problem)
        else:
            results.append(examined)
        progress(len(results), len(images))
    entries, missing = service.match_manifest(manifest, [s.name for s in images])
    problems += missing
    by_name = {r.name: r for r in results}
    cards: list[tuple[CardEntry, ProcessedImage | KnownImage]] = []
    seen: dict[str, str] = {}
    for entry in entries:
        result = by_name.get(entry.file)
        if result is None or result.image_sha256 is None:
            continue
        if result.image_sha256 in seen:
            problems.append(service.twin(entry.file, seen[result.image_sha256]))
            continue
        seen[result.image_sha256] = entry.file
        cards.append((entry, result.image or result.known))  # type: ignore[arg-type]
    if problems:
        raise service.DeckRefused(problems)
    return service.create_deck(session, manifest=manifest, cards=cards, status=status, now=now)
