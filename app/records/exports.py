"""Exports of a conversation's record (DESIGN §4, §7): load, check ownership, audit-log, render.

Every function here blocks (database, Typst, zip) and is called from a worker thread: the
routes are plain ``def`` functions, which FastAPI runs in its thread pool, never on the loop.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.conversations.service import own_conversation
from app.db import write_transaction
from app.errors import N_, DomainError, NotFound
from app.i18n import TIMEZONE
from app.models import Conversation, ConversationStatus, Employee
from app.records import audit
from app.records.calendar import render_ics
from app.records.document import RecordDocument, make_document
from app.records.docx import render_docx
from app.records.filenames import download_name
from app.records.markdown import render_markdown
from app.records.pdf import render_pdf

NO_RECORD_WHEN_CANCELLED = N_(
    "The conversation was cancelled: it was never held, so there is no record to export."
)
Format = Literal["pdf", "agreements", "md", "docx", "json", "ics"]
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "agreements": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "ics": "text/calendar; charset=utf-8",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Export:
    data: bytes
    media_type: str
    filename: str


EXTENSIONS = {"pdf": "pdf", "agreements": "pdf", "md": "md", "docx": "docx", "json": "json"}


def filename(record: dict[str, Any], fmt: str) -> str:
    """``MUS 2026-12-01 Mette Hansen.pdf``: the conversation's date, the employee's name and,
    for the agreements sheet and the calendar, a word in the record's language."""
    c = record["conversation"]
    return download_name(
        day=date.fromisoformat(c["date"]),
        name=c["employee"]["name"],
        lang=c["language"],
        kind=fmt,
        extension=EXTENSIONS.get(fmt, fmt),
    )


def render(document: RecordDocument, fmt: Format, now: datetime) -> Export:
    if fmt == "pdf":
        data = render_pdf(document, kind="record", now=now)
    elif fmt == "agreements":
        data = render_pdf(document, kind="agreements", now=now)
    elif fmt == "md":
        data = render_markdown(document).encode()
    elif fmt == "docx":
        data = render_docx(document)
    elif fmt == "json":
        data = json.dumps(document.record, ensure_ascii=False, indent=2).encode()
    elif fmt == "ics":
        data = render_ics(document.record, document.view, now=now)
    else:  # pragma: no cover - Format is closed
        raise ValueError(fmt)
    return Export(data, MEDIA_TYPES[fmt], filename(document.record, fmt))


def _document(
    session: Session, conversation: Conversation, fmt: str, organisation: str, now: datetime
) -> RecordDocument:
    # Only the PDF and Word documents show card images: the others skip reading them.
    return make_document(
        session,
        conversation,
        organisation=organisation,
        today=now.date(),
        with_images=fmt in ("pdf", "docx"),
    )


def export_conversation(
    session: Session,
    *,
    leader_id: int,
    conversation_id: int,
    fmt: Format,
    organisation: str,
    now: datetime,
) -> Export:
    """The leader's own conversation in one format; the export is in the audit log."""
    conversation = own_conversation(session, leader_id, conversation_id)
    if conversation.status == ConversationStatus.cancelled:
        raise DomainError(NO_RECORD_WHEN_CANCELLED, status_code=409)
    document = _document(session, conversation, fmt, organisation, now)
    with write_transaction(session):
        audit.log(
            session,
            action="export",
            at=now,
            user_id=leader_id,
            conversation_id=conversation_id,
            employee_id=conversation.employee_id,
            format=fmt,
        )
    return render(document, fmt, now)


def employee_copy(
    session: Session, conversation: Conversation, *, organisation: str, now: datetime
) -> Export:
    """The PDF behind a share link; the link's use is logged by share.use_share."""
    return render(_document(session, conversation, "pdf", organisation, now), "pdf", now)


BATCH_FORMATS: tuple[Format, ...] = ("pdf", "md", "json")


def export_employee(
    session: Session,
    *,
    leader_id: int,
    employee_id: int,
    organisation: str,
    now: datetime,
    lang: str,
) -> Export:
    """All records of one of the leader's employees in one zip: for a request for access
    (GDPR art. 15) and when the employee changes leader."""
    employee = session.get(Employee, employee_id)
    if employee is None or employee.leader_id != leader_id:
        raise NotFound()
    conversations = list(
        session.exec(
            select(Conversation)
            .where(Conversation.employee_id == employee_id)
            .where(Conversation.leader_id == leader_id)
            # A cancelled conversation has no record: it was never held.
            .where(Conversation.status != ConversationStatus.cancelled)
            .order_by(col(Conversation.date), col(Conversation.id))
        )
    )
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for conversation in conversations:
            document = _document(session, conversation, "pdf", organisation, now)
            for fmt in BATCH_FORMATS:
                export = render(document, fmt, now)
                archive.writestr(unique_name(export.filename, used), export.data)
    # Logged after the rendering, which takes seconds: not while holding the write lock.
    with write_transaction(session):
        for conversation in conversations:
            audit.log(
                session,
                action="batch_export",
                at=now,
                user_id=leader_id,
                conversation_id=conversation.id,
                employee_id=employee_id,
                format="zip",
            )
        audit.log(
            session,
            action="batch_export",
            at=now,
            user_id=leader_id,
            employee_id=employee_id,
            format="zip",
        )
    today = now.astimezone(TIMEZONE).date()
    name = download_name(day=today, name=employee.name, lang=lang, kind="zip", extension="zip")
    return Export(buffer.getvalue(), MEDIA_TYPES["zip"], name)


def unique_name(name: str, used: set[str]) -> str:
    """Two conversations on one day would share a name: the second gets " (2)" in the zip."""
    stem, _, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{stem} ({n}).{extension}"
    used.add(candidate)
    return candidate
