"""Uploading a deck: every file checked, the deck created only when all pass (DESIGN §3).

A refused upload stays for a day with its valid files already processed, so the facilitator
replaces or removes only the bad ones. Processing is slow (seconds per photo), so these
functions run in a worker thread and decode outside any write transaction: SQLite's write
lock is held only for the short writes between files; the browser follows ``done`` /
``total`` meanwhile.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from sqlalchemy import delete
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col, select

from app.db import is_disk_full, write_transaction, writes
from app.decks.files import Examined, KnownImage, examine
from app.decks.manifest import CardEntry, Manifest, parse_manifest, title_from_file_name
from app.decks.service import create_deck, find_known_image, match_manifest, twin
from app.decks.zipcheck import (
    MANIFEST,
    FileProblem,
    Source,
    UploadLimits,
    is_zip,
    manifest_text,
    plain_name,
    read_limited,
    sources_from_zip,
)
from app.errors import N_, DomainError, NotFound
from app.media.pipeline import ProcessedImage, Variant
from app.models import DeckStatus
from app.models.decks import DeckUpload, DeckUploadFile, DeckUploadVariant, UploadStatus

log = logging.getLogger(__name__)
KEEP_FOR = timedelta(hours=24)
# What the report says of an upload whose checking failed unexpectedly (_never_stuck).
CHECK_FAILED = N_(
    "This upload could not be checked. Upload the files again, or discard it and start anew."
)
# A processing that has not moved for this long was cut off (a restart): say so.
STALLED_AFTER = timedelta(minutes=10)


@dataclass
class IncomingFile:
    """A file as the request brought it: its name on the facilitator's computer and the
    (spooled) bytes. The name is a label only."""

    name: str
    stream: IO[bytes]


def new_key() -> str:
    return secrets.token_urlsafe(24)


def _params(text: str) -> dict[str, object]:
    return dict(json.loads(text)) if text else {}


def _dump(params: dict[str, object]) -> str:
    return json.dumps(params, ensure_ascii=False) if params else ""


# -- loading -------------------------------------------------------------------------------


def own_upload(session: Session, *, key: str, owner_id: int) -> DeckUpload:
    """The one loader: another person's upload, or an expired one, is simply not there
    (NotFound, a 404)."""
    upload = session.exec(select(DeckUpload).where(DeckUpload.key == key)).first()
    if upload is None or upload.owner_id != owner_id:
        raise NotFound()
    return upload


@writes
def purge_expired(session: Session, *, now: datetime) -> int:
    """Forget uploads past their day; the decks they created stay, of course."""
    ids = list(session.exec(select(DeckUpload.id).where(col(DeckUpload.expires_at) < now)))
    if ids:
        _delete_files(session, upload_ids=[i for i in ids if i is not None])
        session.exec(delete(DeckUpload).where(col(DeckUpload.id).in_(ids)))
    return len(ids)


def _delete_files(
    session: Session, *, upload_ids: Sequence[int] = (), file_ids: Sequence[int] = ()
) -> None:
    if upload_ids:
        file_ids = [
            *file_ids,
            *(
                i
                for i in session.exec(
                    select(DeckUploadFile.id).where(col(DeckUploadFile.upload_id).in_(upload_ids))
                )
                if i is not None
            ),
        ]
    if not file_ids:
        return
    session.exec(delete(DeckUploadVariant).where(col(DeckUploadVariant.file_id).in_(file_ids)))
    session.exec(delete(DeckUploadFile).where(col(DeckUploadFile.id).in_(file_ids)))


# -- receiving -----------------------------------------------------------------------------


def receive_upload(
    session: Session,
    *,
    key: str,
    owner_id: int,
    files: Sequence[IncomingFile],
    default_name: str,
    limits: UploadLimits,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
) -> DeckUpload:
    """Check every file of a new upload; create the deck (a draft) when all pass."""
    upload = _new_upload(
        session, key=key, owner_id=owner_id, files=files, default_name=default_name, now=now
    )
    with _never_stuck(session, upload, now=now):
        _stage(session, upload, files, limits=limits, clock=clock or (lambda: now))
        return finish(session, upload=upload, now=(clock or (lambda: now))())
    return _refused_upload(session, key=upload.key, owner_id=owner_id)


@writes
def _new_upload(
    session: Session,
    *,
    key: str,
    owner_id: int,
    files: Sequence[IncomingFile],
    default_name: str,
    now: datetime,
) -> DeckUpload:
    purge_expired(session, now=now)
    existing = session.exec(select(DeckUpload).where(DeckUpload.key == key)).first()
    if existing is not None:
        if existing.owner_id != owner_id:
            raise NotFound()
        raise DomainError(N_("This upload was already received. Open it from the upload page."))
    if not files:
        raise DomainError(N_("Choose a zip file or some images first."))
    upload = DeckUpload(
        key=key,
        owner_id=owner_id,
        name=default_name[:200],
        created_at=now,
        updated_at=now,
        expires_at=now + KEEP_FOR,
    )
    session.add(upload)
    return upload


def add_files(
    session: Session,
    *,
    key: str,
    owner_id: int,
    files: Sequence[IncomingFile],
    as_name: str | None,
    limits: UploadLimits,
    now: datetime,
) -> DeckUpload:
    """Files for a refused upload: one replaces the file of the same name (``as_name``
    names the file it replaces, whatever the new one is called); then check again."""
    with write_transaction(session):
        upload = own_upload(session, key=key, owner_id=owner_id)
        if upload.status == UploadStatus.imported:
            raise DomainError(N_("This upload is already a deck."))
        if upload.status == UploadStatus.processing and not _stalled(upload, now):
            raise DomainError(N_("This upload is still being checked. Wait a moment."))
        if not files:
            raise DomainError(N_("Choose a file first."))
        upload.status = UploadStatus.processing
        upload.expires_at = now + KEEP_FOR
        session.add(upload)
    with _never_stuck(session, upload, now=now):
        _stage(session, upload, files, limits=limits, clock=lambda: now, as_name=as_name)
        return finish(session, upload=upload, now=now)
    return _refused_upload(session, key=key, owner_id=owner_id)


@contextmanager
def _never_stuck(session: Session, upload: DeckUpload, *, now: datetime) -> Iterator[None]:
    """An upload whose checking fails for a reason nobody foresaw (a bug, a file no check
    knows) ends refused, and its report says so (``CHECK_FAILED``): it is never left in
    processing for ever. A refusal the facilitator can act on still reaches them."""
    try:
        yield
    except Exception as error:
        upload_id = upload.id
        if is_disk_full(error):
            # No room for the images: nothing of the upload is kept half-stored, and the
            # facilitator is told why (app.main answers it); they start anew once there is room.
            _discard_after_disk_full(session, upload_id)
            raise
        with write_transaction(session):
            stuck = session.get(DeckUpload, upload_id)
            if stuck is not None and stuck.status == UploadStatus.processing:
                stuck.status = UploadStatus.refused
                # Fewer files done than received marks a check that did not finish (check()).
                stuck.done = 0
                stuck.updated_at = now
                session.add(stuck)
        if isinstance(error, DomainError):
            raise
        log.exception("upload %s could not be checked", upload_id)


@writes
def remove_file(
    session: Session, *, key: str, owner_id: int, file_id: int, now: datetime
) -> DeckUpload:
    """Leave one file out of the deck (it was not meant to be a card), then check again."""
    upload = _refused_upload(session, key=key, owner_id=owner_id)
    row = session.get(DeckUploadFile, file_id)
    if row is None or row.upload_id != upload.id:
        raise NotFound()
    if row.name == MANIFEST:
        upload.manifest_text = None
    _delete_files(session, file_ids=[file_id])
    return finish(session, upload=upload, now=now)


@writes
def drop_manifest(session: Session, *, key: str, owner_id: int, now: datetime) -> DeckUpload:
    """Go on without deck.toml: cards titled by their file names, editable afterwards."""
    upload = _refused_upload(session, key=key, owner_id=owner_id)
    upload.manifest_text = None
    rows = session.exec(
        select(DeckUploadFile.id).where(
            DeckUploadFile.upload_id == upload.id, DeckUploadFile.name == MANIFEST
        )
    ).all()
    _delete_files(session, file_ids=[i for i in rows if i is not None])
    return finish(session, upload=upload, now=now)


@writes
def discard_upload(session: Session, *, key: str, owner_id: int) -> None:
    upload = own_upload(session, key=key, owner_id=owner_id)
    _delete_files(session, upload_ids=[upload.id or 0])
    session.delete(upload)


def _discard_after_disk_full(session: Session, upload_id: int | None) -> None:
    try:
        with write_transaction(session):
            upload = session.get(DeckUpload, upload_id)
            if upload is not None:
                _delete_files(session, upload_ids=[upload.id or 0])
                session.delete(upload)
    except sa_exc.OperationalError:
        # Not even room to delete (a real full disk also fills the journal): the upload stays
        # refused until purge_expired() removes it.
        log.warning("upload %s could not be discarded on a full disk", upload_id)


def _refused_upload(session: Session, *, key: str, owner_id: int) -> DeckUpload:
    upload = own_upload(session, key=key, owner_id=owner_id)
    if upload.status != UploadStatus.refused:
        raise DomainError(N_("Only a refused upload can be changed."))
    return upload


def _stalled(upload: DeckUpload, now: datetime) -> bool:
    return now - upload.updated_at > STALLED_AFTER


def _sources(
    files: Sequence[IncomingFile], limits: UploadLimits
) -> tuple[list[Source], str | None]:
    """Every file of the request, zips opened; and a zip's name for the deck."""
    sources: list[Source] = []
    zip_name: str | None = None
    for incoming in files:
        name = plain_name(incoming.name) or "?"
        head = incoming.stream.read(4)
        incoming.stream.seek(0)
        if is_zip(head):
            zip_name = zip_name or name
            try:
                sources += sources_from_zip(incoming.stream, zip_name=name, limits=limits)
            except DomainError as error:
                sources.append(
                    _refused_source(name, FileProblem(name, error.message, error.params))
                )
            continue
        stream = incoming.stream

        def read(stream: IO[bytes] = stream, name: str = name) -> bytes:
            return read_limited(stream, name, limits)

        sources.append(Source(name=name, size=0, read=read))
    return sources, zip_name


def _refused_source(name: str, problem: FileProblem) -> Source:
    return Source(name=name, size=0, read=lambda: b"", problem=problem)


def _stage(
    session: Session,
    upload: DeckUpload,
    files: Sequence[IncomingFile],
    *,
    limits: UploadLimits,
    clock: Callable[[], datetime],
    as_name: str | None = None,
) -> None:
    sources, zip_name = _sources(files, limits)
    if as_name is not None and len(sources) == 1:
        sources[0].name = as_name
        if sources[0].problem is not None:
            sources[0].problem = FileProblem(
                as_name, sources[0].problem.message, sources[0].problem.params
            )
    with write_transaction(session):
        if zip_name and not upload.manifest_text and upload.done == 0 and upload.total == 0:
            upload.name = title_from_file_name(zip_name)[:200]
        next_position = _next_position(session, upload)
        upload.total = len(sources)
        upload.done = 0
        upload.updated_at = clock()
        session.add(upload)
    for source in sources:
        # Outside any write transaction: reading and decoding take long, nobody waits for them.
        examined, text = _examine_source(
            source, limits=limits, known=lambda sha: find_known_image(session, sha)
        )
        # Then the write, short: drop a file of the same name, store this one, count it.
        with write_transaction(session):
            _replace_named(session, upload, source.name)
            if source.is_manifest:
                upload.manifest_text = text
            if not source.is_manifest or examined.problem is not None:
                _store(session, upload, examined, position=next_position)
                next_position += 1
            upload.done += 1
            upload.updated_at = clock()
            session.add(upload)


def _examine_source(
    source: Source, *, limits: UploadLimits, known: Callable[[str], KnownImage | None]
) -> tuple[Examined, str | None]:
    """The checked file; for deck.toml its text instead (or its problem)."""
    if source.problem is not None:
        return Examined(source.name, source.size, problem=source.problem), None
    try:
        data = source.read()
    except DomainError as error:
        return Examined(
            source.name, source.size, problem=FileProblem(source.name, error.message, error.params)
        ), None
    if source.is_manifest:
        try:
            return Examined(source.name, len(data)), manifest_text(data)
        except DomainError as error:
            problem = FileProblem(source.name, error.message, error.params)
            return Examined(source.name, len(data), problem=problem), None
    return examine(data, name=source.name, limits=limits, known=known), None


def _next_position(session: Session, upload: DeckUpload) -> int:
    positions = session.exec(
        select(DeckUploadFile.position).where(DeckUploadFile.upload_id == upload.id)
    ).all()
    return max(positions, default=-1) + 1


def _replace_named(session: Session, upload: DeckUpload, name: str) -> None:
    old = session.exec(
        select(DeckUploadFile.id).where(
            DeckUploadFile.upload_id == upload.id, DeckUploadFile.name == name
        )
    ).all()
    _delete_files(session, file_ids=[i for i in old if i is not None])


def _store(session: Session, upload: DeckUpload, examined: Examined, *, position: int) -> None:
    row = DeckUploadFile(
        upload_id=upload.id or 0,
        position=position,
        name=examined.name[:200],
        size=examined.size,
        image_sha256=examined.image_sha256,
        known_image=examined.known is not None,
        notes=json.dumps(list(examined.notes)) if examined.notes else "",
    )
    if examined.problem is not None:
        row.problem = examined.problem.message
        row.problem_params = _dump(examined.problem.params)
    if examined.image is not None:
        row.width, row.height = examined.image.width, examined.image.height
    elif examined.known is not None:
        row.width, row.height = examined.known.width, examined.known.height
    session.add(row)
    if examined.image is not None:
        session.flush()
        for variant in examined.image.variants:
            session.add(
                DeckUploadVariant(
                    file_id=row.id or 0,
                    width=variant.width,
                    height=variant.height,
                    data=variant.data,
                )
            )


# -- checking and importing ----------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    manifest: Manifest
    entries: list[tuple[CardEntry, DeckUploadFile]]
    problems: list[FileProblem]
    files: list[DeckUploadFile]


def check(session: Session, upload: DeckUpload) -> Checked:
    """The whole upload judged: each file's own problem, deck.toml, missing and twin files."""
    files = list(
        session.exec(
            select(DeckUploadFile)
            .where(DeckUploadFile.upload_id == upload.id)
            .order_by(col(DeckUploadFile.position))
        )
    )
    problems: list[FileProblem] = []
    manifest = Manifest(name_da=upload.name)
    if upload.manifest_text is not None:
        try:
            manifest = parse_manifest(upload.manifest_text, default_name=upload.name)
        except DomainError as error:
            problems.append(FileProblem(MANIFEST, error.message, error.params))
    images = [f for f in files if f.name != MANIFEST]
    for f in files:
        if f.problem:
            problems.append(FileProblem(f.name, f.problem, _params(f.problem_params)))
    entries, missing = match_manifest(manifest, [f.name for f in images])
    problems += missing
    if upload.status == UploadStatus.refused and upload.done < upload.total:
        # Refused before every file was counted: its checking failed (_never_stuck).
        problems.insert(0, FileProblem("", CHECK_FAILED, {}))
    by_name = {f.name: f for f in images}
    seen: dict[str, str] = {}
    matched: list[tuple[CardEntry, DeckUploadFile]] = []
    for entry in entries:
        row = by_name.get(entry.file)
        if row is None or row.problem or row.image_sha256 is None:
            continue
        if row.image_sha256 in seen:
            problems.append(twin(row.name, seen[row.image_sha256]))
            continue
        seen[row.image_sha256] = row.name
        matched.append((entry, row))
    return Checked(manifest=manifest, entries=matched, problems=problems, files=files)


@writes
def finish(session: Session, *, upload: DeckUpload, now: datetime) -> DeckUpload:
    """Create the deck if nothing is wrong; otherwise keep the upload, refused, to be fixed."""
    checked = check(session, upload)
    upload.updated_at = now
    if checked.problems:
        upload.status = UploadStatus.refused
        session.add(upload)
        return upload
    # One staged image at a time (a generator), written and let go before the next.
    cards = ((entry, _staged_image(session, row)) for entry, row in checked.entries)
    deck = create_deck(
        session,
        manifest=checked.manifest,
        cards=cards,
        status=DeckStatus.draft,
        created_by_id=upload.owner_id,
        now=now,
    )
    upload.status = UploadStatus.imported
    upload.deck_id = deck.id
    session.add(upload)
    # The processed files are in the deck now; only the upload's outcome is kept.
    _delete_files(session, upload_ids=[upload.id or 0])
    log.info(
        "deck %s imported from upload %s with %d cards", deck.id, upload.id, len(checked.entries)
    )
    return upload


def _staged_image(session: Session, row: DeckUploadFile) -> ProcessedImage | KnownImage:
    if row.known_image:
        return KnownImage(sha256=row.image_sha256 or "", width=row.width, height=row.height)
    variants = session.exec(
        select(DeckUploadVariant)
        .where(DeckUploadVariant.file_id == row.id)
        .order_by(col(DeckUploadVariant.width))
    ).all()
    return ProcessedImage(
        sha256=row.image_sha256 or "",
        width=row.width,
        height=row.height,
        source_format="",
        animated=False,
        variants=tuple(Variant(width=v.width, height=v.height, data=v.data) for v in variants),
    )
