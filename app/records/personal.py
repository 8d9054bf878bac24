"""One employee's personal data (DESIGN §6, GDPR art. 15 and 17): everything stored about
them, to download, and its erasure. For admins, and for the employee's own leader.

"Everything stored about the employee" is found from the schema, not from a list kept by
hand: the employee's row, then every row that belongs to a row already found through a
NOT NULL foreign key (a conversation belongs to its employee, a pick to its conversation, an
agreement's card link to its agreement), table after table in SQLModel's dependency order. A
table added later is covered without a change here. A nullable foreign key is a reference,
not ownership: a row of someone else that refers to an erased row keeps itself and loses
the reference. The audit log keeps its entries (numbers, never words, and append-only).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_model

from app.db import rows_changed, write_transaction
from app.errors import N_, DomainError, NotFound
from app.i18n import TIMEZONE
from app.models import (
    AuditEvent,
    Card,
    Conversation,
    Employee,
    Image,
    ImageVariant,
    Pick,
    User,
)
from app.models.conversations import employee_name
from app.models.decks import DeckUploadFile
from app.records import audit, exports
from app.records.document import make_document
from app.records.filenames import download_name

SCHEMA = "arbejdsglaede.personal-data/1"
# What each table holds, for the page (msgids); a table without a label shows its name.
KINDS = {
    "conversations": N_("Conversations"),
    "picks": N_("Picked cards with their notes"),
    "agreements": N_("Agreements and follow-ups"),
    "agreement_cards": N_("Cards the agreements grew from"),
    "step_times": N_("Time spent on each step"),
    "record_shares": N_("Links to the employee's copy"),
    "conversation_questions": N_("Questions the leader chose for the conversation"),
    "conversation_focus_areas": N_("Focus areas chosen for the conversation"),
    "preparation_links": N_("Links to the employee's preparation page"),
    "conversation_topics": N_("Topics on the agenda"),
    "preparation_notes": N_("Preparation notes"),
}
# Tables whose rows are never the employee's own, although a row of theirs may point at them.
NOT_OWNED = {"users", "decks", "cards", "images", "image_variants"}


def employee_for(session: Session, *, user_id: int, is_admin: bool, employee_id: int) -> Employee:
    """The employee, for an admin or for the employee's own leader; anyone else finds none."""
    employee = session.get(Employee, employee_id)
    if employee is None or not (is_admin or employee.leader_id == user_id):
        raise NotFound()
    return employee


Found = dict[str, list[dict[str, Any]]]


def owned_rows(session: Session, start: dict[str, set[Any]]) -> Found:
    """The rows named in ``start`` (table: primary keys) and every row that belongs to them,
    by table, in dependency order."""
    found: Found = {}
    keys: dict[str, set[Any]] = {name: set(ids) for name, ids in start.items()}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_OWNED or table.name == "audit_events":
            continue
        conditions = []
        pk = list(table.primary_key.columns)
        if table.name in start and len(pk) == 1:
            conditions.append(pk[0].in_(start[table.name]))
        for fk in table.foreign_keys:
            owner = fk.column.table.name
            if not fk.parent.nullable and keys.get(owner):
                conditions.append(fk.parent.in_(keys[owner]))
        if not conditions:
            continue
        rows = [dict(r._mapping) for r in session.execute(select(table).where(or_(*conditions)))]
        if rows:
            found[table.name] = rows
            if len(pk) == 1:
                keys[table.name] = {row[pk[0].name] for row in rows}
    return found


def _owned_rows(session: Session, employee_id: int) -> Found:
    return owned_rows(session, {"employees": {employee_id}})


def _shown(owned: Found) -> Found:
    """What the access export and its page may show to the leader or admin who asks: the
    employee's private preparation notes stay the employee's alone (only on their own page),
    except those they brought into the conversation; a link's secret parts stay out."""
    shown = dict(owned)
    if "preparation_notes" in shown:
        shown["preparation_notes"] = [
            row for row in shown["preparation_notes"] if row["brought_at"] is not None
        ]
        if not shown["preparation_notes"]:
            del shown["preparation_notes"]
    if "preparation_links" in shown:
        shown["preparation_links"] = [
            {k: v for k, v in row.items() if k not in ("token_hash", "nonce")}
            for row in shown["preparation_links"]
        ]
    return shown


def _audit_rows(session: Session, employee_id: int, conversation_ids: set[int]) -> list[Any]:
    about = col(AuditEvent.employee_id) == employee_id
    if conversation_ids:
        about = or_(about, col(AuditEvent.conversation_id).in_(conversation_ids))
    return list(session.exec(select_model(AuditEvent).where(about).order_by(col(AuditEvent.id))))


def _plain(value: Any) -> Any:
    # A time of day too: a planned meeting's starts_at (issue 15) broke the download before.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def personal_data(session: Session, employee: Employee) -> dict[str, Any]:
    """Every stored row about the employee, as JSON-ready values: their own rows by table,
    and the audit log's entries about them (who saw or exported what, when)."""
    owned = _shown(_owned_rows(session, employee.id or 0))
    conversation_ids = {row["id"] for row in owned.get("conversations", [])}
    leader = session.get(User, employee.leader_id)
    return {
        "schema": SCHEMA,
        "employee": {"id": employee.id, "name": employee.name},
        "leader": {"id": employee.leader_id, "name": leader.name if leader else None},
        "tables": {
            name: [{k: _plain(v) for k, v in row.items()} for row in rows]
            for name, rows in owned.items()
        },
        # Who saw or exported the employee's records, and when; a colleague's network address
        # is the colleague's personal data, not the employee's, and stays out.
        "audit_events": [
            {
                k: _plain(v)
                for k, v in event.model_dump().items()
                if k != "address" or event.user_id is None
            }
            for event in _audit_rows(session, employee.id or 0, conversation_ids)
        ],
    }


def export_everything(
    session: Session,
    *,
    user_id: int,
    is_admin: bool,
    employee_id: int,
    organisation: str,
    now: datetime,
    lang: str,
) -> exports.Export:
    """A request for access (GDPR art. 15): one zip with everything stored about the employee
    as JSON and the PDF of each of their records. The download is in the audit log."""
    employee = employee_for(session, user_id=user_id, is_admin=is_admin, employee_id=employee_id)
    data = personal_data(session, employee)
    conversations = list(
        session.exec(
            select_model(Conversation)
            .where(Conversation.employee_id == employee_id)
            .order_by(col(Conversation.date), col(Conversation.id))
        )
    )
    documents = [
        make_document(session, c, organisation=organisation, today=now.date())
        for c in conversations
    ]
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for document in documents:
            export = exports.render(document, "pdf", now)
            archive.writestr(exports.unique_name(export.filename, used), export.data)
    # After the rendering, which takes seconds: not while holding the write lock.
    with write_transaction(session):
        audit.log(
            session,
            action="access_export",
            at=now,
            user_id=user_id,
            employee_id=employee_id,
            format="zip",
        )
    today = now.astimezone(TIMEZONE).date()
    name = download_name(day=today, name=employee.name, lang=lang, kind="zip", extension="zip")
    return exports.Export(buffer.getvalue(), exports.MEDIA_TYPES["zip"], name)


@dataclass(frozen=True)
class Erased:
    """How many rows of each kind went, and how many images no other record used."""

    rows: dict[str, int]
    images: int


def erase_employee(
    session: Session,
    *,
    user_id: int,
    is_admin: bool,
    employee_id: int,
    typed_name: str,
    now: datetime,
) -> Erased:
    """Erasure (GDPR art. 17): the employee and everything stored about them, after their
    name was typed to confirm; card images kept only for their records go too. The erasure
    is in the audit log, with the employee's number and no content."""
    with write_transaction(session):
        employee = employee_for(
            session, user_id=user_id, is_admin=is_admin, employee_id=employee_id
        )
        try:
            typed = employee_name(typed_name)
        except DomainError:
            typed = ""
        if typed.casefold() != employee.name.casefold():
            raise DomainError(N_("Type the employee's name exactly as it is written to confirm."))
        erased = delete_owned(session, _owned_rows(session, employee_id))
        audit.log(
            session,
            action="erasure",
            at=now,
            user_id=user_id,
            employee_id=employee_id,
        )
    return erased


def delete_owned(session: Session, owned: Found) -> Erased:
    """Deletes the rows found by owned_rows(), children first, and the card images only they
    used; another's row that referred to one of them loses the reference."""
    snapshots = {row["image_sha256"] for row in owned.get("picks", [])}
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    _drop_references(session, tables, owned)
    counts: dict[str, int] = {}
    for name in reversed(list(owned)):
        counts[name] = _delete_rows(session, tables[name], owned[name])
    images = _drop_unused_images(session, snapshots)
    return Erased(rows=dict(sorted(counts.items())), images=images)


def _drop_references(session: Session, tables: dict[str, Table], owned: Found) -> None:
    """Another's row that refers to an erased row by a nullable key loses the reference."""
    for table in tables.values():
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if fk.parent.nullable and target in owned:
                ids = {row[fk.column.name] for row in owned[target]}
                session.execute(
                    update(table).where(fk.parent.in_(ids)).values({fk.parent.name: None})
                )


def _delete_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> int:
    pk = list(table.primary_key.columns)
    if len(pk) == 1:
        condition: Any = pk[0].in_({row[pk[0].name] for row in rows})
    else:
        condition = or_(*(and_(*(c == row[c.name] for c in pk)) for row in rows))
    result = session.execute(delete(table).where(condition))
    return rows_changed(result)


def _drop_unused_images(session: Session, shas: set[str]) -> int:
    """Snapshots of card images that no card, other record or deck upload uses any more."""
    if not shas:
        return 0
    used = set(
        session.exec(select_model(Card.image_sha256).where(col(Card.image_sha256).in_(shas)))
    )
    used |= set(
        session.exec(select_model(Pick.image_sha256).where(col(Pick.image_sha256).in_(shas)))
    )
    used |= {
        sha
        for sha in session.exec(
            select_model(DeckUploadFile.image_sha256).where(
                col(DeckUploadFile.image_sha256).in_(shas)
            )
        )
        if sha
    }
    unused = shas - used
    if not unused:
        return 0
    session.execute(delete(ImageVariant).where(col(ImageVariant.image_sha256).in_(unused)))
    result = session.execute(delete(Image).where(col(Image.sha256).in_(unused)))
    return rows_changed(result)


@dataclass(frozen=True)
class PersonalSummary:
    """What the page shows before the download and the erasure: counts, no content."""

    employee_id: int
    name: str
    leader_name: str
    counts: list[tuple[str, int]]  # (msgid or table name, rows)


def kind_counts(rows: dict[str, int]) -> list[tuple[str, int]]:
    return [(KINDS.get(name, name), n) for name, n in rows.items() if name != "employees"]


def summary(session: Session, *, user_id: int, is_admin: bool, employee_id: int) -> PersonalSummary:
    employee = employee_for(session, user_id=user_id, is_admin=is_admin, employee_id=employee_id)
    owned = _shown(_owned_rows(session, employee_id))
    leader = session.get(User, employee.leader_id)
    return PersonalSummary(
        employee_id=employee_id,
        name=employee.name,
        leader_name=leader.name if leader else "",
        counts=kind_counts({name: len(rows) for name, rows in owned.items()}),
    )


@dataclass(frozen=True)
class EmployeeEntry:
    id: int
    name: str
    leader_name: str


def all_employees(session: Session) -> list[EmployeeEntry]:
    """Every employee with their leader, for the admin answering a request."""
    found = session.exec(
        select_model(Employee, User.name)
        .join(User, col(User.id) == col(Employee.leader_id))
        .order_by(col(Employee.name), col(Employee.id))
    )
    return [EmployeeEntry(id=e.id or 0, name=e.name, leader_name=n) for e, n in found]
