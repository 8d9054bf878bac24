"""Backup and restore (DESIGN §7): one zip with every table's rows and every image, the same
format from SQLite and PostgreSQL, so a team can also move from one to the other.

The file holds ``manifest.json`` (format, app version, Alembic revision, the tables with their
columns, row counts and checksums), one JSON Lines file per table (``tables/<name>.jsonl``, one
object per row, in primary-key order) and the images' bytes as ``media/<sha256>``: a column
of bytes holds the sha256 of its value, which names the media file. The manifest's column
types say how a value reads back: ``datetime`` ISO 8601 with its offset, ``date`` ISO,
``boolean`` a JSON boolean, ``bytes`` a media name, ``integer``/``number``/``text`` as they are.

The schema is read from the database itself, not from the models: a backup taken before an
upgrade copies the tables as they are at the database's own revision.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.types import TypeEngine, _Binary

from app import __version__
from app.clock import utcnow
from app.migrate import alembic_config

FORMAT = "arbejdsglaede.backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ALEMBIC_TABLE = "alembic_version"
# Rows a new database gets by itself: the migrations' (0010: the audit retention) and the
# first start's (the question bank written for this product). An empty database has them, and
# a restore replaces them with the backup's.
SEEDED_BY_MIGRATIONS = frozenset({"audit_retention", "bank_questions"})

BATCH = 500
# A row with an image holds up to a few hundred kB: fewer of them at a time, so that neither
# backup nor restore holds more than a few MB of images in memory.
BATCH_WITH_BYTES = 16
# A zip bomb's entries decompress to about a thousand times their size; real ones do not:
# 200,000 audit entries compress about 10:1, 200,000 identical rows but for their ids 41:1,
# WebP images 1:1.
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
CHUNK = 1024 * 1024
_TABLE_ENTRY = re.compile(r"tables/([a-z][a-z0-9_]{0,62})\.jsonl")
_MEDIA_ENTRY = re.compile(r"media/([0-9a-f]{64})")


class BackupRefused(Exception):
    """A backup or restore that cannot be done; its message says why, for the operator."""


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    media: int
    size: int
    revision: str

    def line(self, verb: str, path: Path) -> str:
        return (
            f"{verb} {path}: {self.tables} tables, {self.rows} rows, {self.media} media files, "
            f"{_size(self.size)} (revision {self.revision})."
        )


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} kB"


def _kind(column_type: TypeEngine[Any]) -> str:
    """The column's type as the file names it; a type not named here fails the backup
    loudly, so a new kind of column is never written in a way restore cannot read."""
    kinds: list[tuple[type[TypeEngine[Any]], str]] = [
        (Boolean, "boolean"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),  # a meeting's time of day on the Copenhagen clock: no offset
        (Integer, "integer"),
        (Float, "number"),
        (Numeric, "number"),
        (LargeBinary, "bytes"),
        (_Binary, "bytes"),
        (String, "text"),
    ]
    for base, kind in kinds:
        if isinstance(column_type, base):
            return kind
    raise BackupRefused(f"A column of type {column_type!r} cannot be backed up.")


def _write_datetime(moment: datetime) -> str:
    # SQLite keeps the app's UTC times without an offset (sqlmodel's UTCDateTime).
    aware = moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment
    return aware.astimezone(UTC).isoformat()


def _encoder(kind: str, media: Callable[[bytes], str]) -> Callable[[Any], Any] | None:
    """How a column's value is written; None when JSON holds it as it is (numbers, text)."""
    encoders: dict[str, Callable[[Any], Any]] = {
        "datetime": _write_datetime,
        "date": date.isoformat,
        "time": time.isoformat,
        "boolean": bool,
        "bytes": lambda value: media(bytes(value)),
    }
    return encoders.get(kind)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _decoder(
    kind: str, column_type: TypeEngine[Any], media: Callable[[str], bytes]
) -> Callable[[Any], Any]:
    """How a value of the file becomes the column's value; made once per column, as a
    restore calls it for every value."""
    timezone = isinstance(column_type, DateTime) and column_type.timezone

    def read_datetime(value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            raise ValueError("a date-time without its offset")
        moment = moment.astimezone(UTC)
        return moment if timezone else moment.replace(tzinfo=None)

    def read_boolean(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError("not a boolean")
        return value

    def of_type(expected: type | tuple[type, ...]) -> Callable[[Any], Any]:
        def check(value: Any) -> Any:
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ValueError(f"not a {kind}")
            return value

        return check

    read: Callable[[Any], Any] = {
        "datetime": read_datetime,
        "date": date.fromisoformat,
        "time": time.fromisoformat,
        "boolean": read_boolean,
        "bytes": media,
        "integer": of_type(int),
        "number": of_type((int, float)),
        "text": of_type(str),
    }[kind]

    def decode(value: Any) -> Any:
        if value is None:
            return None
        try:
            return read(value)
        except (TypeError, ValueError) as error:
            raise BackupRefused(
                f"A {kind} value the backup holds cannot be read: {error}."
            ) from error

    return decode


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _data_tables(connection: Connection) -> list[Table]:
    """The database's own tables, parents before children, without Alembic's."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name != ALEMBIC_TABLE]


def tables_with_rows(connection: Connection) -> dict[str, int]:
    """Each table that holds rows, with their number; Alembic's own and what the migrations
    insert by themselves do not count."""
    counts = {}
    for table in _data_tables(connection):
        if table.name in SEEDED_BY_MIGRATIONS:
            continue
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if count:
            counts[table.name] = count
    return counts


@contextmanager
def _snapshot(engine: Engine, scratch: Path) -> Iterator[Connection]:
    """A connection that sees one moment of the database and cannot change it. SQLite's
    snapshot is a copy in ``scratch``, beside the backup, where there is room for one."""
    if engine.dialect.name == "sqlite":
        source_path = engine.url.database
        if not source_path or source_path == ":memory:":
            raise BackupRefused("Only an SQLite database in a file can be backed up.")
        uri = Path(source_path).resolve().as_uri() + "?mode=ro"
        with tempfile.TemporaryDirectory(prefix=".arbejdsglaede-backup-", dir=scratch) as folder:
            copy_path = Path(folder) / "snapshot.db"
            # The online backup API copies a consistent state while the app goes on writing;
            # read-only, so the backup writes nothing into the database it copies.
            try:
                source = sqlite3.connect(uri, uri=True)
            except sqlite3.Error as error:
                raise BackupRefused(f"No database to back up at {source_path}: {error}.") from error
            copy = sqlite3.connect(copy_path)
            try:
                source.backup(copy)
            except sqlite3.Error as error:
                raise BackupRefused(
                    f"The database at {source_path} cannot be read: {error}."
                ) from error
            finally:
                copy.close()
                source.close()
            snapshot = create_engine(f"sqlite:///{copy_path}")
            try:
                with snapshot.connect() as connection:
                    yield connection
            finally:
                snapshot.dispose()
        return
    # One read-only transaction that sees one moment; DEFERRABLE waits for a moment that no
    # running transaction can make inconsistent, and then never blocks a writer.
    with (
        engine.connect().execution_options(
            isolation_level="SERIALIZABLE", postgresql_readonly=True, postgresql_deferrable=True
        ) as connection,
        connection.begin(),
    ):
        yield connection


def backup(engine: Engine, path: Path) -> Summary:
    """Writes the whole database to ``path`` (a zip), through a temporary file beside it, so
    that a failed backup never leaves a half file under the name."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with (
            _snapshot(engine, path.parent) as connection,
            zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            ) as archive,
        ):
            summary = _write(connection, archive, dialect=engine.dialect.name)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Summary(
        summary.tables, summary.rows, summary.media, path.stat().st_size, summary.revision
    )


def _write(connection: Connection, archive: zipfile.ZipFile, *, dialect: str) -> Summary:
    revision = current_revision(connection)
    if revision is None:
        raise BackupRefused("The database has no schema yet: there is nothing to back up.")
    stored: set[str] = set()

    def media(data: bytes) -> str:
        name = hashlib.sha256(data).hexdigest()
        if name not in stored:
            archive.writestr(f"media/{name}", data, compress_type=zipfile.ZIP_STORED)
            stored.add(name)
        return name

    entries = []
    total_rows = 0
    for table in _data_tables(connection):
        columns = [(c.name, _kind(c.type)) for c in table.columns]
        order = list(table.primary_key.columns) or list(table.columns)
        batch = BATCH_WITH_BYTES if any(k == "bytes" for _, k in columns) else BATCH
        digest = hashlib.sha256()
        rows = 0
        # The rows go to a temporary file first: zipfile writes one entry at a time, and a
        # row's images become entries of their own.
        with tempfile.TemporaryFile() as lines:
            result = connection.execution_options(stream_results=True, yield_per=batch).execute(
                select(table).order_by(*order)
            )
            encoders = [(name, _encoder(kind, media)) for name, kind in columns]
            for row in result:
                record = {
                    name: value if value is None or encode is None else encode(value)
                    for (name, encode), value in zip(encoders, row, strict=True)
                }
                line = _JSON.encode(record).encode() + b"\n"
                digest.update(line)
                lines.write(line)
                rows += 1
            lines.seek(0)
            name = f"tables/{table.name}.jsonl"
            with archive.open(name, "w", force_zip64=True) as entry:
                shutil.copyfileobj(lines, entry)
        total_rows += rows
        entries.append(
            {
                "name": table.name,
                "file": name,
                "columns": [{"name": n, "type": k} for n, k in columns],
                "rows": rows,
                "sha256": digest.hexdigest(),
            }
        )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "alembic_revision": revision,
        "created_at": utcnow().isoformat(),
        "database": dialect,
        "tables": entries,
        "media": len(stored),
    }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return Summary(len(entries), total_rows, len(stored), 0, revision)


@dataclass(frozen=True)
class _TableEntry:
    name: str
    file: str
    columns: list[tuple[str, str]]
    rows: int
    sha256: str


KINDS = frozenset({"boolean", "datetime", "date", "time", "integer", "number", "bytes", "text"})


def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupRefused(f"{path.name} is not a backup of Arbejdsglæde (not a zip).") from error
    names = archive.namelist()
    if len(names) != len(set(names)):
        archive.close()
        raise BackupRefused("The backup holds an entry twice: it was not made by Arbejdsglæde.")
    for info in archive.infolist():
        name = info.filename
        if not (name == MANIFEST or _TABLE_ENTRY.fullmatch(name) or _MEDIA_ENTRY.fullmatch(name)):
            archive.close()
            raise BackupRefused(f"The backup holds an entry it should not: {name!r}.")
        if stat.S_ISLNK(info.external_attr >> 16) or info.flag_bits & 0x1:
            archive.close()
            raise BackupRefused(f"The backup's entry {name!r} is a link or encrypted.")
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            archive.close()
            raise BackupRefused(
                f"The backup's entry {name!r} unpacks to more than {MAX_RATIO} times its size."
            )
    return archive


def _manifest(archive: zipfile.ZipFile) -> tuple[str, list[_TableEntry], set[str]]:
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError as error:
        raise BackupRefused(
            "The file is not a backup of Arbejdsglæde: no manifest.json."
        ) from error
    if info.file_size > MAX_MANIFEST_BYTES:
        raise BackupRefused("The backup's manifest.json is too large.")
    try:
        data = json.loads(archive.read(info))
        if data.get("format") != FORMAT:
            raise BackupRefused("The file is not a backup of Arbejdsglæde.")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupRefused(
                f"The backup is in format version {data.get('format_version')!r}; this version "
                f"of Arbejdsglæde reads version {FORMAT_VERSION}."
            )
        revision = data["alembic_revision"]
        tables = [
            _TableEntry(
                name=t["name"],
                file=t["file"],
                columns=[(c["name"], c["type"]) for c in t["columns"]],
                rows=int(t["rows"]),
                sha256=t["sha256"],
            )
            for t in data["tables"]
        ]
    except BackupRefused:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        raise BackupRefused("The backup's manifest.json cannot be read.") from error
    if not isinstance(revision, str):
        raise BackupRefused("The backup's manifest.json names no revision.")
    names = set(archive.namelist())
    for table in tables:
        if table.file != f"tables/{table.name}.jsonl" or table.file not in names:
            raise BackupRefused(f"The backup lacks the rows of table {table.name!r}.")
        for _, kind in table.columns:
            if kind not in KINDS:
                raise BackupRefused(f"The backup names an unknown column type {kind!r}.")
    media = {n.removeprefix("media/") for n in names if n.startswith("media/")}
    return revision, tables, media


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
    # Read in large chunks and split here: ZipExtFile.readline goes byte by byte in Python,
    # half of a restore's time.
    with archive.open(name) as entry:
        rest = b""
        while chunk := entry.read(CHUNK):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            if len(rest) > MAX_LINE_BYTES:
                raise BackupRefused(f"The backup's {name} holds a line that is too long.")
            for line in lines:
                yield line + b"\n"
        if rest:
            raise BackupRefused(f"The backup's {name} ends in the middle of a line: it is cut.")


def _verify(archive: zipfile.ZipFile, tables: list[_TableEntry], media: set[str]) -> None:
    """Every checksum before a row is stored: a damaged file is refused as a whole."""
    try:
        for table in tables:
            digest = hashlib.sha256()
            rows = 0
            for line in _lines(archive, table.file):
                digest.update(line)
                rows += 1
            if rows != table.rows or digest.hexdigest() != table.sha256:
                raise BackupRefused(
                    f"The backup's rows of {table.name!r} do not match its manifest: "
                    "the file is damaged."
                )
        for name in media:
            with archive.open(f"media/{name}") as entry:
                digest = hashlib.sha256()
                while chunk := entry.read(1024 * 1024):
                    digest.update(chunk)
            if digest.hexdigest() != name:
                raise BackupRefused(f"The backup's media file {name} is damaged.")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        # zipfile's CRC check, a truncated entry, a broken deflate stream.
        raise BackupRefused(f"The backup is damaged: {error}.") from error


def _check_revision(url: str, revision: str) -> ScriptDirectory:
    script = ScriptDirectory.from_config(alembic_config(url))
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupRefused(
            f"The backup was made at database revision {revision!r}, which this version of "
            f"Arbejdsglæde ({__version__}) does not know: it comes from a newer version. "
            "Upgrade Arbejdsglæde first, then restore."
        )
    return script


def _prepare_target(engine: Engine, script: ScriptDirectory, revision: str) -> None:
    """Refuses a database with rows; migrates an empty one to the backup's revision."""
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as connection:
        current = current_revision(connection)
        with_rows = tables_with_rows(connection)
        has_tables = bool(_data_tables(connection))
        connection.rollback()
    if with_rows:
        listed = ", ".join(f"{name} ({count} rows)" for name, count in sorted(with_rows.items()))
        raise BackupRefused(
            f"The database is not empty: {listed}. Restore into a new, empty database."
        )
    if current is None and has_tables:
        raise BackupRefused(
            "The database has tables but no Alembic revision: it is not an Arbejdsglæde "
            "database. Restore into a new, empty database."
        )
    if current is not None and current != revision:
        ancestors = {r.revision for r in script.iterate_revisions(revision, "base")}
        if current not in ancestors:
            raise BackupRefused(
                f"The empty database is already at revision {current}, past the backup's "
                f"{revision}. Restore into a new database without tables."
            )
    command.upgrade(alembic_config(url), revision)


def restore(engine: Engine, path: Path) -> Summary:
    """Loads a backup into an empty database, all or nothing, then migrates it to head."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(f"{path}: no such file.")
    url = engine.url.render_as_string(hide_password=False)
    with _open_archive(path) as archive:
        revision, tables, media = _manifest(archive)
        script = _check_revision(url, revision)
        _verify(archive, tables, media)
        _prepare_target(engine, script, revision)
        rows = _load(engine, archive, tables, media)
    command.upgrade(alembic_config(url), "head")
    return Summary(len(tables), rows, len(media), path.stat().st_size, revision)


def _load(
    engine: Engine, archive: zipfile.ZipFile, tables: list[_TableEntry], media: set[str]
) -> int:
    def read_media(name: Any) -> bytes:
        if not isinstance(name, str) or name not in media:
            raise BackupRefused(f"The backup names a media file it does not hold: {name!r}.")
        return archive.read(f"media/{name}")

    by_name = {t.name: t for t in tables}
    total = 0
    # One transaction: a refusal half-way stores nothing.
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        target = _data_tables(connection)
        if {t.name for t in target} != set(by_name):
            missing = sorted(set(by_name) ^ {t.name for t in target})
            raise BackupRefused(
                f"The backup's tables and the database's differ at their revision: {missing}."
            )
        for table in target:
            entry = by_name[table.name]
            if {c.name: _kind(c.type) for c in table.columns} != dict(entry.columns):
                raise BackupRefused(
                    f"The backup's columns of {table.name!r} differ from the database's."
                )
            if table.name in SEEDED_BY_MIGRATIONS:
                connection.execute(table.delete())
            size = BATCH_WITH_BYTES if any(k == "bytes" for _, k in entry.columns) else BATCH
            names = {n for n, _ in entry.columns}
            decoders = [
                (name, _decoder(kind, table.columns[name].type, read_media))
                for name, kind in entry.columns
            ]
            batch: list[dict[str, Any]] = []
            for line in _lines(archive, entry.file):
                try:
                    record = json.loads(line)
                except ValueError as error:
                    raise BackupRefused(f"The backup's {entry.file} is not JSON Lines.") from error
                if not isinstance(record, dict) or record.keys() != names:
                    raise BackupRefused(f"A row in the backup's {entry.file} has other columns.")
                batch.append({name: decode(record[name]) for name, decode in decoders})
                if len(batch) >= size:
                    connection.execute(table.insert(), batch)
                    batch = []
            if batch:
                connection.execute(table.insert(), batch)
            total += entry.rows
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection, target)
    return total


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """The rows came with their ids: each id sequence goes on after the highest."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                text(
                    f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") FROM '
                    f'"{table.name}"), 1), (SELECT MAX("{column.name}") FROM "{table.name}") '
                    "IS NOT NULL)"
                ),
                {"sequence": sequence},
            )


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup file, for a person (or a test) to look at."""
    with _open_archive(Path(path)) as archive:
        data: dict[str, Any] = json.loads(archive.read(MANIFEST))
    return data
