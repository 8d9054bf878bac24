"""What the upload pages show, prepared for the templates (no counting in Jinja)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.decks.manifest import title_from_file_name
from app.decks.upload import service
from app.decks.zipcheck import MANIFEST, UploadLimits
from app.models import Deck
from app.models.decks import DeckUpload, DeckUploadFile, DeckUploadVariant, UploadStatus


@dataclass(frozen=True)
class ReportLine:
    file: str
    ok: bool
    # "file": a file of the upload; "missing": listed in deck.toml, not uploaded;
    # "manifest": deck.toml itself.
    kind: str = "file"
    file_id: int | None = None
    message: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    title: str = ""
    thumb_sha: str | None = None  # an image already stored: served from /media
    staged_thumb: bool = False  # processed here: served from the upload
    replace_as: str | None = None  # a replacement is stored under this name


@dataclass(frozen=True)
class Report:
    key: str
    name: str
    status: str
    expires_at: datetime
    problems: tuple[ReportLine, ...]
    fine: tuple[ReportLine, ...]
    has_manifest: bool
    progress: Progress | None

    @property
    def bad_files(self) -> int:
        return len(self.problems)


@dataclass(frozen=True)
class Progress:
    key: str
    status: str
    done: int
    total: int
    deck_slug: str | None = None
    next_url: str | None = None

    @property
    def finished(self) -> bool:
        return self.status != UploadStatus.processing

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "redirect": self.next_url,
        }


@dataclass(frozen=True)
class UnfinishedUpload:
    key: str
    name: str
    status: str
    created_at: datetime
    files: int


@dataclass(frozen=True)
class UploadPage:
    max_file_mb: int
    max_total_mb: int
    max_entries: int
    max_megapixels: int
    unfinished: tuple[UnfinishedUpload, ...]


def _replaceable(name: str) -> str | None:
    # A name that was refused as a path stays a label; a replacement gets a plain name.
    return None if ("/" in name or "\\" in name or not name.strip()) else name


def upload_page(
    session: Session, *, owner_id: int, limits: UploadLimits, now: datetime
) -> UploadPage:
    uploads = session.exec(
        select(DeckUpload)
        .where(
            DeckUpload.owner_id == owner_id,
            DeckUpload.status != UploadStatus.imported,
            col(DeckUpload.expires_at) > now,
        )
        .order_by(col(DeckUpload.created_at).desc())
    ).all()
    unfinished = []
    for upload in uploads:
        count = len(
            session.exec(
                select(DeckUploadFile.id).where(DeckUploadFile.upload_id == upload.id)
            ).all()
        )
        unfinished.append(
            UnfinishedUpload(
                key=upload.key,
                name=upload.name,
                status=upload.status,
                created_at=upload.created_at,
                files=count,
            )
        )
    mb = 1024 * 1024
    return UploadPage(
        max_file_mb=limits.max_file_bytes // mb,
        max_total_mb=limits.max_total_bytes // mb,
        max_entries=limits.max_entries,
        max_megapixels=limits.max_pixels // 1_000_000,
        unfinished=tuple(unfinished),
    )


def progress_of(session: Session, upload: DeckUpload) -> Progress:
    slug = None
    if upload.deck_id is not None:
        deck = session.get(Deck, upload.deck_id)
        slug = deck.slug if deck else None
    return Progress(
        key=upload.key,
        status=upload.status,
        done=upload.done,
        total=upload.total,
        deck_slug=slug,
    )


def progress(session: Session, *, key: str, owner_id: int) -> Progress | None:
    """Not started while the upload has not arrived yet (the browser may ask that early);
    None when the upload is someone else's."""
    upload = session.exec(select(DeckUpload).where(DeckUpload.key == key)).first()
    if upload is None:
        return Progress(key=key, status=UploadStatus.processing, done=0, total=0)
    if upload.owner_id != owner_id:
        return None
    return progress_of(session, upload)


def report(session: Session, *, upload: DeckUpload, now: datetime) -> Report:
    checked = service.check(session, upload)
    by_name = {f.name: f for f in checked.files}
    titles = {entry.file: entry.title_da for entry in checked.manifest.cards}
    problems: list[ReportLine] = []
    flagged: set[str] = set()
    for problem in checked.problems:
        row = by_name.get(problem.file)
        if not problem.file:
            kind = "upload"  # the upload as a whole (service.CHECK_FAILED)
        elif problem.file == MANIFEST and row is None:
            kind = "manifest"
        elif row is None:
            kind = "missing"
        else:
            kind = "manifest" if problem.file == MANIFEST else "file"
        flagged.add(problem.file)
        problems.append(
            ReportLine(
                file=problem.file,
                ok=False,
                kind=kind,
                file_id=row.id if row else None,
                message=problem.message,
                params=dict(problem.params),
                title=titles.get(problem.file, ""),
                staged_thumb=bool(row and row.image_sha256 and not row.known_image),
                thumb_sha=row.image_sha256 if row and row.known_image else None,
                replace_as=_replaceable(problem.file),
            )
        )
    fine = tuple(
        ReportLine(
            file=row.name,
            ok=True,
            file_id=row.id,
            notes=tuple(json.loads(row.notes)) if row.notes else (),
            title=titles.get(row.name) or title_from_file_name(row.name),
            staged_thumb=not row.known_image,
            thumb_sha=row.image_sha256 if row.known_image else None,
            replace_as=_replaceable(row.name),
        )
        for row in checked.files
        if row.name not in flagged and row.name != MANIFEST and not row.problem
    )
    return Report(
        key=upload.key,
        name=checked.manifest.name_da or upload.name,
        status=upload.status,
        expires_at=upload.expires_at,
        problems=tuple(problems),
        fine=fine,
        has_manifest=upload.manifest_text is not None or MANIFEST in by_name,
        progress=progress_of(session, upload) if upload.status == UploadStatus.processing else None,
    )


def staged_thumbnail(session: Session, *, upload: DeckUpload, file_id: int) -> bytes | None:
    row = session.get(DeckUploadFile, file_id)
    if row is None or row.upload_id != upload.id:
        return None
    return session.exec(
        select(DeckUploadVariant.data)
        .where(DeckUploadVariant.file_id == file_id)
        .order_by(col(DeckUploadVariant.width))
    ).first()
