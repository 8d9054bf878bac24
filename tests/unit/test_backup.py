"""Backup and restore (DESIGN §7): every table, row by row, and every image, byte by byte,
from the run's database into a fresh SQLite and a fresh PostgreSQL database. The normal run
backs up SQLite, the PostgreSQL run (make test-postgresql) PostgreSQL, so both directions
between the two are covered in make test."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from app import backup
from app.accounts import service as accounts
from app.accounts.sessions import hash_token
from app.backup import BackupRefused
from app.cli import main
from app.db import make_engine, write_session
from app.migrate import alembic_config, head_revision
from app.models import (
    AccountToken,
    Agreement,
    AgreementReview,
    Conversation,
    ConversationFocusArea,
    ConversationQuestion,
    EmployeeEvent,
    ImageVariant,
    LoginFailure,
    LoginSession,
    SetupToken,
    StepTime,
)
from app.models.accounts import RecoveryCode, ResetRequest, TwoStep
from app.models.decks import DeckUpload, DeckUploadFile, DeckUploadVariant
from app.models.preparation import ConversationTopic, PreparationLink, PreparationNote
from app.models.settings import ConversationText, FocusArea
from app.records import audit, share
from tests import postgres
from tests.record_fixtures import NOW, TRICKY, full_conversation, leader
from tests.support import ON_POSTGRESQL, PASSWORD, make_settings


def _fill(session: Session) -> None:
    """A row in every table: a finished conversation with picks, agreements, a share link and
    its audit entries, sessions and tokens, and a deck upload waiting to be fixed."""
    boss = leader(session)
    uid = boss.id or 0
    done = full_conversation(session, leader_id=uid, tricky=True)
    # A time of day and a place (issue 15): the time is a column of its own kind.
    done.starts_at, done.place = time(13, 30), "Mødelokale 2"
    done.suggestions_shareable = True
    session.add(done)
    full_conversation(session, leader_id=uid, employee="Kollega Bøgh", finish=False)
    share.create_share(session, leader_id=uid, conversation_id=done.id or 0, now=NOW, days=7)
    audit.log_view(
        session, action="record_viewed", at=NOW, user_id=uid, conversation_id=done.id or 0
    )
    other = accounts.create_user(
        session, email="hr@example.org", name="HR Ærø", role="facilitator", password=PASSWORD
    )
    variant = session.exec(select(ImageVariant)).first()  # type: ignore[call-overload]
    assert variant is not None
    image: ImageVariant = variant[0]
    session.add_all(
        [
            LoginSession(token_hash=hash_token("a"), user_id=uid, created_at=NOW, last_seen_at=NOW),
            LoginSession(
                token_hash=hash_token("b"),
                user_id=uid,
                created_at=NOW,
                last_seen_at=NOW,
                ended_at=NOW,
            ),
            LoginFailure(email="x@example.org", address="10.0.0.1", created_at=NOW, checked=False),
            SetupToken(token_hash=hash_token("s"), created_at=NOW, expires_at=NOW, used_at=NOW),
            AccountToken(
                user_id=other.id or 0,
                purpose="invite",
                token_hash=hash_token("i"),
                created_by=uid,
                created_at=NOW,
                expires_at=NOW + timedelta(days=7),
            ),
            EmployeeEvent(employee_id=done.employee_id, at=NOW, from_user_id=uid, to_user_id=uid),
            StepTime(conversation_id=done.id or 0, step="status", seconds=431),
            # A time step beyond 32 bits: the column is a BIGINT, and the copy must keep it so.
            TwoStep(
                user_id=uid, secret="gAAAA-sealed", created_at=NOW, enabled_at=NOW, last_step=2**33
            ),
            RecoveryCode(user_id=uid, code_hash="c" * 64, used_at=NOW),
            ResetRequest(email="x@example.org", address="10.0.0.1", created_at=NOW),
            FocusArea(name_da="Grøn omstilling", name_en="Green transition", created_at=NOW),
            # The leader's questions and focus areas for this person (issue 15).
            ConversationQuestion(
                conversation_id=done.id or 0,
                step="feedback",
                position=2,
                text_da="Hvad har gjort dig stolt?",
                text_en="What made you proud?",
                marked=True,
            ),
            ConversationFocusArea(
                conversation_id=done.id or 0, focus_area_id=9, name_da="Trivsel", name_en=""
            ),
            ConversationText(
                key="intro_da", value="Velkommen – en ligeværdig samtale.", updated_at=NOW
            ),
            # The employee's preparation (issue 15): the link, a topic, a private note.
            PreparationLink(
                conversation_id=done.id or 0,
                token_hash="d" * 64,
                nonce="e" * 32,
                created_at=NOW,
                expires_at=NOW + timedelta(days=3),
                revoked_at=NOW,
            ),
            ConversationTopic(
                conversation_id=done.id or 0,
                text="Mere hjemmearbejde – «ønske»",
                source="employee",
                discussed=True,
                position=1,
                created_at=NOW,
            ),
            PreparationNote(
                conversation_id=done.id or 0,
                text="Privat: Æ ø å",
                created_at=NOW,
                updated_at=NOW,
                brought_at=NOW,
            ),
        ]
    )
    # A follow-up of the finished conversation (issue 16), with a review in the history.
    followed = Conversation(
        leader_id=uid,
        employee_id=done.employee_id,
        date=done.date,
        kind="followup",
        parent_id=done.id,
        status_deck_id=done.status_deck_id,
        inspiration_deck_id=done.inspiration_deck_id,
    )
    session.add(followed)
    session.flush()
    row = session.execute(select(Agreement).where(Agreement.conversation_id == done.id)).first()  # type: ignore[arg-type]
    assert row is not None
    reviewed: Agreement = row[0]
    session.add(
        AgreementReview(
            agreement_id=reviewed.id or 0,
            conversation_id=followed.id,
            at=NOW,
            status="partly",
            comment=TRICKY,
            new_due=date(2027, 3, 1),
            by_user_id=uid,
        )
    )
    upload = DeckUpload(key="k" * 32, owner_id=other.id or 0, name="Vores billeder", expires_at=NOW)
    session.add(upload)
    session.flush()
    staged = DeckUploadFile(upload_id=upload.id or 0, name="sol.jpg", size=3, problem="bad")
    session.add(staged)
    session.flush()
    # Bytes no image row has: a media file of the upload's own.
    session.add(DeckUploadVariant(file_id=staged.id or 0, width=1, height=1, data=b"\x00\xff\x10"))
    session.commit()
    assert image.data


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table the models know, each row in primary-key order, as the app reads it."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in SQLModel.metadata.sorted_tables
        }


def _database_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """A database of the run's kind with a row in every table, made once for this module:
    each test gets its own copy (``source``)."""
    if ON_POSTGRESQL:
        server: postgres.Server = request.getfixturevalue("postgresql")
        url = server.create_database(template=request.getfixturevalue("postgresql_templates")[True])
    else:
        folder = tmp_path_factory.mktemp("filled")
        shutil.copy(request.getfixturevalue("decks_database"), folder / "a.db")
        url = f"sqlite:///{folder / 'a.db'}"
    engine = make_engine(url)
    with write_session(engine) as session:
        _fill(session)
    engine.dispose()
    return url


def _copy_of(url: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if url.startswith("sqlite"):
        folder.mkdir()
        shutil.copy(url.removeprefix("sqlite:///"), folder / "a.db")
        return f"sqlite:///{folder / 'a.db'}"
    server: postgres.Server = request.getfixturevalue("postgresql")
    return server.create_database(template=postgres.database_of(url))


@pytest.fixture
def source(filled: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    engine = make_engine(_copy_of(filled, tmp_path / "source", request))
    yield engine
    engine.dispose()


def _fresh(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "postgresql":
        server: postgres.Server = request.getfixturevalue("postgresql")
        return server.create_database()
    return f"sqlite:///{tmp_path / 'restored' / 'arbejdsglaede.db'}"


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_restore_reproduces_every_table_and_image(
    source: Engine, tmp_path: Path, request: pytest.FixtureRequest, target: str
) -> None:
    path = tmp_path / "backup.zip"
    made = backup.backup(source, path)
    before = _rows(source)
    # Every table of the models, and nothing else, is in the database and in the file:
    # a new table cannot be forgotten.
    assert _database_tables(source) == set(before)
    assert {t["name"] for t in backup.read_manifest(path)["tables"]} == set(before)
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    assert made.rows == sum(len(rows) for rows in before.values())

    (tmp_path / "restored").mkdir()
    restored = make_engine(_fresh(target, tmp_path, request))
    try:
        done = backup.restore(restored, path)
        assert done.rows == made.rows
        after = _rows(restored)
        assert after == before
        with zipfile.ZipFile(path) as archive:
            media = {
                n.removeprefix("media/"): archive.read(n)
                for n in archive.namelist()
                if n.startswith("media/")
            }
        with restored.connect() as connection:
            stored = [
                bytes(d) for (d,) in connection.execute(text("SELECT data FROM image_variants"))
            ]
        assert stored and all(media[hashlib.sha256(d).hexdigest()] == d for d in stored)
        assert any(TRICKY in str(row) for row in after["picks"])

        # The ids go on after the restored ones (PostgreSQL's sequences were set).
        with write_session(restored) as session:
            added = accounts.create_user(
                session, email="ny@example.org", name="Ny", role="leader", password=PASSWORD
            )
        assert (added.id or 0) > max(row[0] for row in before["users"])
        # The audit log is append-only again after the restore.
        with pytest.raises(DBAPIError), restored.begin() as connection:
            connection.execute(text("UPDATE audit_events SET action = 'x'"))
    finally:
        restored.dispose()


def test_backup_writes_nothing_into_the_database_it_copies(source: Engine, tmp_path: Path) -> None:
    before = _rows(source)
    if source.dialect.name == "sqlite":
        source.dispose()  # the last connection checkpoints the log into the file
        database = Path(source.url.database or "")
        file = database.read_bytes()
        backup.backup(source, tmp_path / "b.zip")
        assert database.read_bytes() == file
        assert not database.with_name(database.name + "-wal").stat().st_size
    else:
        backup.backup(source, tmp_path / "b.zip")
    assert _rows(source) == before


def test_the_file_says_what_it_holds(source: Engine, tmp_path: Path) -> None:
    backup.backup(source, tmp_path / "b.zip")
    manifest = backup.read_manifest(tmp_path / "b.zip")
    assert manifest["format"] == "arbejdsglaede.backup" and manifest["format_version"] == 1
    assert manifest["alembic_revision"] == head_revision()
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        users = [json.loads(line) for line in archive.read("tables/users.jsonl").splitlines()]
        conversations = archive.read("tables/conversations.jsonl").splitlines()
    assert users[0]["is_active"] is True
    assert users[0]["created_at"].endswith("+00:00")
    assert json.loads(conversations[0])["date"] == date(2026, 12, 1).isoformat()


def test_restore_refuses_a_database_with_rows_and_says_which(
    source: Engine, tmp_path: Path
) -> None:
    backup.backup(source, tmp_path / "b.zip")
    before = _rows(source)
    with pytest.raises(BackupRefused, match=r"not empty: .*conversations \(3 rows\)"):
        backup.restore(source, tmp_path / "b.zip")
    assert _rows(source) == before


@pytest.fixture(scope="module")
def made(filled: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of ``filled``, made once; tests that change it write a changed copy."""
    path = tmp_path_factory.mktemp("made") / "b.zip"
    engine = make_engine(filled)
    backup.backup(engine, path)
    engine.dispose()
    return path


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Engine]:
    (tmp_path / "empty").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'empty' / 'a.db'}")
    yield engine
    engine.dispose()


def _rewrite(path: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of the backup with some entries replaced (None: left out) or added."""
    out = path.with_name(f"changed-{uuid.uuid4().hex}.zip")
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            if name not in change:
                new.writestr(name, old.read(name))
        for name, data in change.items():
            if data is not None:
                new.writestr(name, data)
    return out


def _nothing_stored(engine: Engine) -> None:
    with engine.connect() as connection:
        assert backup.tables_with_rows(connection) == {}


def test_restore_refuses_a_file_that_is_not_a_zip(empty: Engine, tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"not a zip at all")
    with pytest.raises(BackupRefused, match="not a zip"):
        backup.restore(empty, tmp_path / "x.zip")
    assert _database_tables(empty) == set()


def test_restore_refuses_a_zip_without_a_manifest(empty: Engine, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tables/users.jsonl", b"{}\n")
    (tmp_path / "x.zip").write_bytes(buffer.getvalue())
    with pytest.raises(BackupRefused, match="no manifest"):
        backup.restore(empty, tmp_path / "x.zip")


def test_restore_refuses_a_damaged_table(made: Path, empty: Engine) -> None:
    with zipfile.ZipFile(made) as archive:
        lines = archive.read("tables/picks.jsonl").replace(b"glad", b"GLAD", 1)
    with pytest.raises(BackupRefused, match=r"picks.*damaged"):
        backup.restore(empty, _rewrite(made, {"tables/picks.jsonl": lines}))
    assert _database_tables(empty) == set()


def test_restore_refuses_a_damaged_image(made: Path, empty: Engine) -> None:
    with zipfile.ZipFile(made) as archive:
        name = next(n for n in archive.namelist() if n.startswith("media/"))
        data = bytearray(archive.read(name))
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(BackupRefused, match=r"media file .* is damaged"):
        backup.restore(empty, _rewrite(made, {name: bytes(data)}))


@pytest.mark.parametrize(
    "name", ["../evil.txt", "media/../../evil", "/etc/passwd", "tables/../x.jsonl", "media/abc"]
)
def test_restore_refuses_an_entry_with_a_path(made: Path, empty: Engine, name: str) -> None:
    with pytest.raises(BackupRefused, match="entry it should not"):
        backup.restore(empty, _rewrite(made, {name: b"x"}))
    assert _database_tables(empty) == set()


def test_restore_refuses_a_zip_bomb(made: Path, empty: Engine) -> None:
    bomb = b"\n" * (20 * 1024 * 1024)
    with pytest.raises(BackupRefused, match="more than 200 times"):
        backup.restore(empty, _rewrite(made, {"tables/users.jsonl": bomb}))


def _with_manifest(made: Path, **changes: Any) -> Path:
    manifest = backup.read_manifest(made)
    manifest.update(changes)
    return _rewrite(made, {"manifest.json": json.dumps(manifest).encode()})


def test_restore_refuses_another_format_version(made: Path, empty: Engine) -> None:
    with pytest.raises(BackupRefused, match="format version 2"):
        backup.restore(empty, _with_manifest(made, format_version=2))


def test_restore_refuses_a_foreign_file(made: Path, empty: Engine) -> None:
    with pytest.raises(BackupRefused, match="not a backup of Arbejdsglæde"):
        backup.restore(empty, _with_manifest(made, format="something.else"))


def test_restore_refuses_a_backup_from_a_newer_version(made: Path, empty: Engine) -> None:
    with pytest.raises(BackupRefused, match="newer version"):
        backup.restore(empty, _with_manifest(made, alembic_revision="9999"))
    assert _database_tables(empty) == set()


def test_a_row_refused_half_way_stores_nothing(made: Path, empty: Engine) -> None:
    """The checksums are right, but a late table holds a value of the wrong type: the rows
    loaded before it are rolled back with it."""
    manifest = backup.read_manifest(made)
    with zipfile.ZipFile(made) as archive:
        lines = archive.read("tables/users.jsonl").replace(
            b'"is_active":true', b'"is_active":"yes"'
        )
    for table in manifest["tables"]:
        if table["name"] == "users":
            table["sha256"] = hashlib.sha256(lines).hexdigest()
    changed = _rewrite(
        made, {"tables/users.jsonl": lines, "manifest.json": json.dumps(manifest).encode()}
    )
    with pytest.raises(BackupRefused, match="boolean"):
        backup.restore(empty, changed)
    _nothing_stored(empty)


def test_backup_and_restore_commands(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path / "cli")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARBEJDSGLAEDE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ARBEJDSGLAEDE_SECRET_KEY", settings.secret_key or "")
    assert main(["restore", str(made)]) == 0
    assert "Restored from" in capsys.readouterr().out
    assert main(["restore", str(made)]) == 1
    assert "Nothing was restored. The database is not empty: " in capsys.readouterr().err
    assert main(["backup", str(tmp_path / "again.zip")]) == 0
    line = capsys.readouterr().out
    assert line.startswith(
        f"Backed up to {tmp_path / 'again.zip'}: {len(SQLModel.metadata.tables)} tables, "
    )
    assert " media files, " in line and f"(revision {head_revision()})" in line


@pytest.fixture
def migrated_empty(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database of the run's kind migrated to head, without decks or users."""
    if ON_POSTGRESQL:
        server: postgres.Server = request.getfixturevalue("postgresql")
        templates = request.getfixturevalue("postgresql_templates")
        url = server.create_database(template=templates[False])
    else:
        (tmp_path / "migrated").mkdir()
        shutil.copy(request.getfixturevalue("migrated_database"), tmp_path / "migrated" / "a.db")
        url = f"sqlite:///{tmp_path / 'migrated' / 'a.db'}"
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_restore_into_a_migrated_empty_database_replaces_the_seeded_retention(
    source: Engine, migrated_empty: Engine, tmp_path: Path
) -> None:
    """A database migrated to head without decks holds only the audit retention that the
    migration wrote (5 years); the backup's own (7) takes its place."""
    with source.begin() as connection:
        connection.execute(text("UPDATE audit_retention SET audit_years = 7"))
    backup.backup(source, tmp_path / "b.zip")
    backup.restore(migrated_empty, tmp_path / "b.zip")
    with migrated_empty.connect() as connection:
        retention = connection.execute(text("SELECT id, audit_years FROM audit_retention")).all()
    assert retention == [(1, 7)]
    assert _rows(migrated_empty) == _rows(source)


def test_restore_refuses_an_empty_database_past_the_backup_s_revision(
    migrated_empty: Engine, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    url = f"sqlite:///{tmp_path / 'old' / 'a.db'}"
    command.upgrade(alembic_config(url), "0004")
    old = make_engine(url)
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, role, password_hash, is_active, created_at) "
                "VALUES (1, 'a@example.org', 'A', 'admin', '', 1, '2026-01-01 00:00:00.000000')"
            )
        )
    backup.backup(old, tmp_path / "old.zip")
    old.dispose()
    with pytest.raises(
        BackupRefused, match=f"already at revision {head_revision()}, past the backup's 0004"
    ):
        backup.restore(migrated_empty, tmp_path / "old.zip")
    _nothing_stored(migrated_empty)


def test_a_write_in_progress_is_not_in_the_backup_and_does_not_stop_it(
    source: Engine, tmp_path: Path
) -> None:
    with source.connect() as writer:
        writer.begin()
        writer.execute(
            text(
                "INSERT INTO login_failures (email, address, created_at, checked) "
                "VALUES ('half@example.org', '', :at, :checked)"
            ),
            {"at": NOW if source.dialect.name != "sqlite" else "2026-12-01 09:00:00.000000",
             "checked": True},
        )  # fmt: skip
        backup.backup(source, tmp_path / "b.zip")
        writer.rollback()
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert b"half@example.org" not in archive.read("tables/login_failures.jsonl")
        assert b"x@example.org" in archive.read("tables/login_failures.jsonl")


def test_backup_refuses_a_missing_sqlite_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'none.db'}")
    with pytest.raises(BackupRefused, match="No database to back up"):
        backup.backup(engine, tmp_path / "b.zip")
    assert not (tmp_path / "b.zip").exists()


def test_backup_command_says_when_it_cannot_write(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path / "cli")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ARBEJDSGLAEDE_DATA_DIR", str(settings.data_dir))
    assert main(["restore", str(made)]) == 0
    assert main(["backup", str(tmp_path / "no" / "such" / "folder" / "b.zip")]) == 1
    assert "Cannot write " in capsys.readouterr().err


def test_restore_refuses_columns_that_differ_from_the_database_s(made: Path, empty: Engine) -> None:
    manifest = backup.read_manifest(made)
    for table in manifest["tables"]:
        for column in table["columns"]:
            if table["name"] == "users" and column["name"] == "is_active":
                column["type"] = "text"
    changed = _rewrite(made, {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupRefused, match="columns of 'users' differ"):
        backup.restore(empty, changed)
    _nothing_stored(empty)


def test_restore_refuses_an_entry_that_is_there_twice(made: Path, empty: Engine) -> None:
    with zipfile.ZipFile(made) as archive:
        users = archive.read("tables/users.jsonl")
    changed = _rewrite(made, {})
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(changed, "a") as archive,
    ):
        archive.writestr("tables/users.jsonl", users.replace(b"leder@", b"anden@"))
    with pytest.raises(BackupRefused, match="an entry twice"):
        backup.restore(empty, changed)


def test_backup_of_an_sqlite_database_in_a_folder_with_a_strange_name(
    made: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "MUS #2 50% æøå"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'a.db'}")
    try:
        backup.restore(engine, made)
        again = backup.backup(engine, folder / "b.zip")
    finally:
        engine.dispose()
    assert again.rows == sum(t["rows"] for t in backup.read_manifest(made)["tables"])
