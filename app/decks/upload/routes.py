"""Uploading a deck over HTTP: the form, the upload with its progress, the report and fixes.

The checking runs in a worker thread (anyio), never on the event loop, so one facilitator's
sixty photos do not hold up anybody's conversation (DESIGN §5).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

from anyio import to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.accounts.deps import FacilitatorDep
from app.db import SessionDep
from app.decks.upload import service, views
from app.decks.zipcheck import UploadLimits
from app.deps import ClockDep, NowDep, SettingsDep
from app.errors import N_, NotFound
from app.i18n import format_day, translate
from app.models.decks import DeckUpload, UploadStatus
from app.web import path_for, redirect, render

if TYPE_CHECKING:
    # FastAPI types form_limits with this TypedDict and exports no public name for it.
    from fastapi._form_limits import _FormLimits

router = APIRouter()
KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")
# Room for a deck of a few hundred images picked one by one, and nothing like a flood.
FORM_LIMITS: _FormLimits = {"max_files": 600, "max_fields": 20}
# At most two uploads decode at once per process, so memory stays bounded (DESIGN §8). A
# thread semaphore, not an anyio one: it waits in the worker thread, never on the event loop,
# and belongs to no particular loop.
_DECODING = threading.BoundedSemaphore(2)


def _incoming(files: list[UploadFile] | None) -> list[service.IncomingFile]:
    # A form submitted without a choice still sends one empty, nameless part.
    return [
        service.IncomingFile(name=f.filename or "", stream=f.file)
        for f in files or []
        if f.filename or (f.size or 0) > 0
    ]


def next_url(request: Request, progress: views.Progress) -> str:
    """Where the facilitator goes next: the new deck's editor, or the report to fix."""
    if progress.status == UploadStatus.imported and progress.deck_slug:
        return request.url_for("decks_edit", slug=progress.deck_slug).path
    return request.url_for("decks_upload_report", key=progress.key).path


def _outcome(request: Request, session: Session, upload: DeckUpload) -> Response:
    url = next_url(request, views.progress_of(session, upload))
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"status": upload.status, "redirect": url})
    return redirect(request, url)


def _decoded(request: Request, session: Session, change: Callable[[], DeckUpload]) -> Response:
    """In the worker thread: the change in one of the two decoding slots, then the answer's
    reads. On the event loop a read could wait for a connection or a lock and stop every
    other request meanwhile (DESIGN §8)."""
    with _DECODING:
        upload = change()
    return _outcome(request, session, upload)


@router.get("/decks/new", name="decks_new")
def decks_new(
    request: Request, session: SessionDep, user: FacilitatorDep, settings: SettingsDep, now: NowDep
) -> Response:
    context = views.upload_page(
        session, owner_id=user.id, limits=UploadLimits.from_settings(settings), now=now
    )
    return render(request, "decks/upload.html", {"page": context, "key": service.new_key()})


@router.post("/decks/new", name="decks_upload", form_limits=FORM_LIMITS)
async def decks_upload(
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    settings: SettingsDep,
    clock: ClockDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    key: Annotated[str, Form()] = "",
) -> Response:
    lang = request.state.lang
    now = clock()
    receive = functools.partial(
        service.receive_upload,
        session,
        key=key if KEY.fullmatch(key) else service.new_key(),
        owner_id=user.id,
        files=_incoming(files),
        default_name=translate(lang, N_("New deck, %(date)s"), date=format_day(now, lang)),
        limits=UploadLimits.from_settings(settings),
        now=now,
        clock=clock,
    )
    return await to_thread.run_sync(_decoded, request, session, receive)


@router.get("/decks/uploads/{key}", name="decks_upload_report")
def decks_upload_report(
    key: str, request: Request, session: SessionDep, user: FacilitatorDep, now: NowDep
) -> Response:
    upload = service.own_upload(session, key=key, owner_id=user.id)
    if upload.status == UploadStatus.imported:
        return redirect(request, next_url(request, views.progress_of(session, upload)))
    report = views.report(session, upload=upload, now=now)
    context = {"report": report, "progress": report.progress}
    return render(request, "decks/upload_report.html", context)


@router.get("/decks/uploads/{key}/progress", name="decks_upload_progress")
def decks_upload_progress(
    key: str, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    """How far the checking is: JSON for upload.js, a fragment for htmx polling."""
    if not KEY.fullmatch(key):
        raise NotFound()
    found = views.progress(session, key=key, owner_id=user.id)
    if found is None:
        raise NotFound()
    progress = replace(found, next_url=next_url(request, found) if found.finished else None)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(progress.as_json(), headers={"Cache-Control": "no-store"})
    if progress.finished and progress.next_url:
        return redirect(request, progress.next_url)
    return render(
        request,
        "decks/upload_report.html",
        {"progress": progress},
        block="progress",
        headers={"Cache-Control": "no-store"},
    )


@router.post("/decks/uploads/{key}/files", name="decks_upload_add", form_limits=FORM_LIMITS)
async def decks_upload_add(
    key: str,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    settings: SettingsDep,
    now: NowDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    replace: Annotated[str, Form()] = "",
) -> Response:
    add = functools.partial(
        service.add_files,
        session,
        key=key,
        owner_id=user.id,
        files=_incoming(files),
        as_name=replace or None,
        limits=UploadLimits.from_settings(settings),
        now=now,
    )
    return await to_thread.run_sync(_decoded, request, session, add)


@router.post("/decks/uploads/{key}/files/{file_id}/remove", name="decks_upload_remove")
def decks_upload_remove(
    key: str,
    file_id: int,
    request: Request,
    session: SessionDep,
    user: FacilitatorDep,
    now: NowDep,
) -> Response:
    upload = service.remove_file(session, key=key, owner_id=user.id, file_id=file_id, now=now)
    return _outcome(request, session, upload)


@router.post("/decks/uploads/{key}/manifest/remove", name="decks_upload_drop_manifest")
def decks_upload_drop_manifest(
    key: str, request: Request, session: SessionDep, user: FacilitatorDep, now: NowDep
) -> Response:
    upload = service.drop_manifest(session, key=key, owner_id=user.id, now=now)
    return _outcome(request, session, upload)


@router.post("/decks/uploads/{key}/discard", name="decks_upload_discard")
def decks_upload_discard(
    key: str, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    service.discard_upload(session, key=key, owner_id=user.id)
    return redirect(request, path_for(request.app, "decks_new"))


@router.get("/decks/uploads/{key}/files/{file_id}.webp", name="decks_upload_thumb")
def decks_upload_thumb(
    key: str, file_id: int, request: Request, session: SessionDep, user: FacilitatorDep
) -> Response:
    upload = service.own_upload(session, key=key, owner_id=user.id)
    data = views.staged_thumbnail(session, upload=upload, file_id=file_id)
    if data is None:
        raise NotFound()
    return Response(
        data, media_type="image/webp", headers={"Cache-Control": "private, max-age=3600"}
    )
