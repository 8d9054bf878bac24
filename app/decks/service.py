"""Decks: importing (all or nothing, with a report per file), the default decks, views."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlmodel import Session, col, select

from app.cards.views import CardView, card_views
from app.clock import utcnow
from app.db import write_transaction, writes
from app.decks.files import KnownImage
from app.decks.manifest import CardEntry, Manifest, parse_manifest, title_from_file_name
from app.decks.zipcheck import MANIFEST, FileProblem
from app.errors import N_, DomainError, NotFound
from app.media.pipeline import ProcessedImage, process_image
from app.media.service import store_image
from app.models import Card, Deck, DeckPurpose, DeckStatus, Image, ImageVariant

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
# Path segments beside /decks/{slug} that a deck's slug must never shadow.
RESERVED_SLUGS = {"new", "uploads"}

__all__ = ["MANIFEST", "DeckRefused", "FileProblem"]


class DeckRefused(DomainError):
    """No deck was stored; ``problems`` says why, one line per file."""

    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(N_("The deck was not imported. Nothing was saved."))
        self.problems = problems


def slugify(text: str) -> str:
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = text.replace("Æ", "Ae").replace("Ø", "Oe").replace("Å", "Aa")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "deck"


def check_files(
    manifest: Manifest,
    files: dict[str, bytes],
    *,
    max_pixels: int,
    process: Callable[..., ProcessedImage] = process_image,
) -> tuple[list[tuple[CardEntry, ProcessedImage]], list[FileProblem]]:
    """Every card's image processed, or the problems; images are decoded one at a time."""
    entries, problems = match_manifest(manifest, list(files))
    processed: list[tuple[CardEntry, ProcessedImage]] = []
    seen: dict[str, str] = {}
    for entry in entries:
        data = files.get(entry.file)
        if data is None:
            continue
        try:
            image = process(data, max_pixels=max_pixels)
        except DomainError as error:
            problems.append(FileProblem(entry.file, error.message, error.params))
            continue
        if image.sha256 in seen:
            problems.append(twin(entry.file, seen[image.sha256]))
            continue
        seen[image.sha256] = entry.file
        processed.append((entry, image))
    return processed, problems


def twin(file: str, other: str) -> FileProblem:
    """Two files of one upload with the same picture: one card would appear twice."""
    return FileProblem(file, N_("The same image as %(other)s."), {"other": other})


def match_manifest(
    manifest: Manifest, names: Sequence[str]
) -> tuple[list[CardEntry], list[FileProblem]]:
    """The cards in order: those deck.toml lists, then the other files by name, titled by
    their file names. Problems: a listed file missing, a cover that is no card, no cards."""
    problems: list[FileProblem] = []
    present = set(names)
    entries = list(manifest.cards)
    listed = {entry.file for entry in entries}
    for entry in entries:
        if entry.file not in present:
            problems.append(
                FileProblem(entry.file, N_("Listed in deck.toml but not in the upload."))
            )
    for name in sorted(present - listed):
        entries.append(CardEntry(file=name, title_da=title_from_file_name(name)))
    if manifest.cover and manifest.cover not in present:
        problems.append(
            FileProblem(
                MANIFEST,
                N_("deck.toml: the cover %(file)s is not one of the images."),
                {"file": manifest.cover},
            )
        )
    if not entries and not problems:
        problems.append(FileProblem(MANIFEST, N_("The deck has no images.")))
    return entries, problems


def find_known_image(session: Session, sha256: str) -> KnownImage | None:
    """The stored image these bytes are, or are a variant of: uploading a downloaded deck
    again gives back the very same images (DESIGN §3, round trip)."""
    image = session.get(Image, sha256)
    if image is None:
        variant = session.exec(
            select(ImageVariant.image_sha256).where(ImageVariant.sha256 == sha256)
        ).first()
        image = session.get(Image, variant) if variant else None
    if image is None:
        return None
    return KnownImage(sha256=image.sha256, width=image.width, height=image.height)


def import_deck(
    session: Session,
    *,
    manifest: Manifest,
    files: dict[str, bytes],
    max_pixels: int,
    status: DeckStatus = DeckStatus.published,
    is_default: bool = False,
    source_hash: str | None = None,
    slug: str | None = None,
) -> Deck:
    """Create the deck only when every card validates (DESIGN §3); otherwise DeckRefused."""
    processed, problems = check_files(manifest, files, max_pixels=max_pixels)
    if problems:
        raise DeckRefused(problems)
    return create_deck(
        session,
        manifest=manifest,
        cards=list(processed),
        status=status,
        is_default=is_default,
        source_hash=source_hash,
        slug=slug,
    )


@writes
def create_deck(
    session: Session,
    *,
    manifest: Manifest,
    cards: Iterable[tuple[CardEntry, ProcessedImage | KnownImage]],
    status: str = DeckStatus.draft,
    created_by_id: int | None = None,
    is_default: bool = False,
    source_hash: str | None = None,
    slug: str | None = None,
    now: datetime | None = None,
) -> Deck:
    """Store a deck whose every card has been checked, in one write transaction.
    ``cards`` may be a generator: each card's image is written and let go before the next
    one is loaded, so a deck of sixty photos never sits in memory at once."""
    now = now or utcnow()
    deck = Deck(
        slug=unique_slug(session, slug or slugify(manifest.name_da)),
        name_da=manifest.name_da,
        name_en=manifest.name_en or manifest.name_da,
        description_da=manifest.description_da,
        description_en=manifest.description_en,
        purpose=manifest.purpose,
        language=manifest.language,
        licence=manifest.licence,
        attribution=manifest.attribution,
        status=status,
        is_default=is_default,
        source_hash=source_hash,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
        published_at=now if status == DeckStatus.published else None,
    )
    session.add(deck)
    session.flush()
    for position, (entry, image) in enumerate(cards):
        if isinstance(image, ProcessedImage):
            store_image(session, image)
        session.add(
            Card(
                deck_id=deck.id or 0,
                position=position,
                file_name=entry.file,
                title_da=entry.title_da,
                title_en=entry.title_en,
                alt_da=entry.alt_da,
                alt_en=entry.alt_en,
                theme=entry.theme,
                image_sha256=image.sha256,
                source=entry.source,
                author=entry.author,
                licence=entry.licence or manifest.licence,
                is_cover=bool(manifest.cover) and entry.file == manifest.cover,
                created_at=now,
            )
        )
        session.flush()
    return deck


def unique_slug(session: Session, base: str) -> str:
    base = base[:70]
    slug, n = base, 1
    while slug in RESERVED_SLUGS or (
        session.exec(select(Deck.id).where(Deck.slug == slug)).first() is not None
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def read_deck_folder(folder: Path) -> tuple[Manifest, dict[str, bytes], str]:
    """A default deck from ``cards/<folder>``: its manifest, image bytes and content hash."""
    manifest_path = folder / MANIFEST
    text = manifest_path.read_text(encoding="utf-8") if manifest_path.exists() else ""
    manifest = parse_manifest(text, default_name=title_from_file_name(folder.name))
    digest = hashlib.sha256(text.encode())
    files: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and not path.is_symlink():
            files[path.name] = path.read_bytes()
            digest.update(path.name.encode() + b"\0" + hashlib.sha256(files[path.name]).digest())
    return manifest, files, digest.hexdigest()


def load_default_decks(session: Session, *, cards_dir: Path, max_pixels: int) -> list[str]:
    """Load each folder of ``cards/`` once; a changed folder replaces its deck, the old one is
    archived so that conversations that used it keep their cards. Returns what it did."""
    report: list[str] = []
    if not cards_dir.is_dir():
        return report
    for folder in sorted(p for p in cards_dir.iterdir() if (p / MANIFEST).is_file()):
        slug = slugify(folder.name)
        try:
            manifest, files, source_hash = read_deck_folder(folder)
        except DomainError as error:
            log.error("default deck %s refused: %s", folder.name, error.message % error.params)
            report.append(f"refused {folder.name}")
            continue
        current = session.exec(select(Deck).where(Deck.is_default, Deck.slug == slug)).first()
        if current is not None and current.source_hash == source_hash:
            continue
        try:
            deck = import_deck(
                session,
                manifest=manifest,
                files=files,
                max_pixels=max_pixels,
                is_default=True,
                source_hash=source_hash,
                slug=f"{slug}-new" if current else slug,
            )
        except DeckRefused as refused:
            for problem in refused.problems:
                log.error(
                    "default deck %s refused: %s: %s",
                    folder.name,
                    problem.file,
                    problem.message % problem.params if problem.params else problem.message,
                )
            report.append(f"refused {folder.name}")
            continue
        if current is not None:
            with write_transaction(session):
                current.status = DeckStatus.archived
                current.is_default = False
                current.slug = unique_slug(session, f"{slug}-{current.id}")
                session.add(current)
                session.flush()
                deck.slug = slug
                session.add(deck)
            report.append(f"updated {folder.name}")
        else:
            report.append(f"loaded {folder.name}")
    return report


@dataclass(frozen=True)
class DeckView:
    id: int
    slug: str
    name: str
    description: str
    purpose: str
    status: str
    attribution: str
    licence: str
    cards: tuple[CardView, ...]
    is_default: bool = False

    @property
    def credit(self) -> str:
        """Attribution and licence, the licence only when the attribution does not name it."""
        bare = self.attribution.replace(" ", "-").lower()
        if self.licence and self.licence.lower() not in bare:
            return f"{self.attribution} · {self.licence}" if self.attribution else self.licence
        return self.attribution

    @property
    def cover(self) -> CardView | None:
        return self.cards[0] if self.cards else None

    @property
    def fan(self) -> tuple[CardView, ...]:
        """The cover first, then the next two: the deck as a little fan of cards."""
        return self.cards[:3]


def current_cards(session: Session, deck_id: int) -> list[Card]:
    """The deck's cards now, in order: never a removed or superseded version."""
    return list(
        session.exec(
            select(Card)
            .where(Card.deck_id == deck_id, col(Card.retired_at).is_(None))
            .order_by(col(Card.position), col(Card.id))
        )
    )


def _deck_view(deck: Deck, cards: list[CardView], lang: str) -> DeckView:
    return DeckView(
        id=deck.id or 0,
        slug=deck.slug,
        name=deck.name(lang),
        description=deck.description(lang),
        purpose=deck.purpose,
        status=deck.status,
        attribution=deck.attribution,
        licence=deck.licence,
        cards=tuple(cards),
        is_default=deck.is_default,
    )


def _cover_first(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda card: not card.is_cover)


def list_decks(
    session: Session, *, lang: str, statuses: Sequence[str] = (DeckStatus.published,)
) -> list[DeckView]:
    """Decks in the given states with their cards, the cover first (a leader sees only
    published decks; a facilitator also drafts and archived ones)."""
    decks = session.exec(
        select(Deck)
        .where(col(Deck.status).in_(list(statuses)))
        # Status first: the order the conversation uses them in.
        .order_by(col(Deck.purpose) != DeckPurpose.status, col(Deck.id))
    ).all()
    views: list[DeckView] = []
    for deck in decks:
        cards = _cover_first(current_cards(session, deck.id or 0))
        views.append(_deck_view(deck, card_views(session, cards, lang), lang))
    return views


def get_deck(session: Session, slug: str) -> Deck:
    deck = session.exec(select(Deck).where(Deck.slug == slug)).first()
    if deck is None:
        raise NotFound()
    return deck


def deck_view(
    session: Session,
    *,
    slug: str,
    lang: str,
    statuses: Sequence[str] = tuple(DeckStatus),
) -> DeckView:
    """One deck's cards in their order; NotFound when it is not there for this person."""
    deck = get_deck(session, slug)
    if deck.status not in statuses:
        raise NotFound()
    cards = current_cards(session, deck.id or 0)
    return _deck_view(deck, card_views(session, cards, lang), lang)


def file_name_is_safe(name: str) -> bool:
    """A plain file name: no folders, no parent references, no hidden files."""
    path = PurePosixPath(name)
    return len(path.parts) == 1 and not name.startswith(".") and "\\" not in name
