"""Upgrades keep every row (DESIGN §5, issue 17): a database made at the first migration, with
a row in every table it had, written in plain SQL, goes through the server's start to head;
every value is still there, every new column has its default, and the server took a backup
first that restores into the same rows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from sqlmodel import SQLModel

from app import backup
from app.bootstrap import prepare_database
from app.config import Settings
from app.db import make_engine
from app.migrate import alembic_config, head_revision
from tests import postgres
from tests.support import ON_POSTGRESQL, make_settings

AT = datetime(2026, 6, 1, 8, 30, 15, 123456, tzinfo=UTC)
LATER = datetime(2026, 6, 2, 8, 30, tzinfo=UTC)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x00\xff\x00binary\x00"

# Every table of revision 0001, a row each, with every column it had then.
AT_0001: dict[str, dict[str, Any]] = {
    "users": {
        "id": 7, "email": "leder@example.org", "name": "Leder Ærø", "role": "leader",
        "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$abc$def", "is_active": False,
        "language": "en", "created_at": AT,
    },
    "login_failures": {
        "id": 3, "email": "x@example.org", "address": "10.0.0.1", "created_at": AT,
    },
    "setup_tokens": {
        "id": 2, "token_hash": "a" * 64, "created_at": AT, "expires_at": LATER, "used_at": LATER,
    },
    "decks": {
        "id": 5, "slug": "vores-billeder", "name_da": "Vores billeder", "name_en": "Our pictures",
        "description_da": "Fotos fra Ærø", "description_en": "Photos", "purpose": "status",
        "language": "da", "licence": "CC-BY-4.0", "attribution": "Fotos: Kommunikation",
        "status": "published", "is_default": True, "source_hash": "b" * 64, "created_at": AT,
    },
    "images": {"sha256": "c" * 64, "width": 1280, "height": 960, "created_at": AT},
    "cards": {
        "id": 11, "deck_id": 5, "position": 4, "file_name": "sol.jpg", "title_da": "Sol",
        "title_en": "Sun", "alt_da": "Sol over en mark", "alt_en": "Sun over a field",
        "theme": "energi", "image_sha256": "c" * 64, "source": "Eget foto", "author": "Åse",
        "licence": "CC-BY-4.0", "created_at": AT,
    },
    "image_variants": {
        "sha256": "d" * 64, "image_sha256": "c" * 64, "width": 320, "height": 240,
        "media_type": "image/webp", "size": len(WEBP), "data": WEBP,
    },
}  # fmt: skip

# The columns later migrations added to those tables, with the value an old row gets.
ADDED: dict[str, dict[str, Any]] = {
    "users": {"last_login_at": None},
    "login_failures": {"checked": True},
    "setup_tokens": {},
    "decks": {"created_by_id": None, "updated_at": None, "published_at": None, "archived_at": None},
    "images": {},
    "cards": {"version": 1, "previous_id": None, "retired_at": None, "is_cover": False},
    "image_variants": {},
}


def _sql_value(value: Any, dialect: str) -> Any:
    # Plain SQL as a person or an old version wrote it: SQLite keeps UTC times as text.
    if isinstance(value, datetime) and dialect == "sqlite":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _database_at_0001(url: str) -> None:
    command.upgrade(alembic_config(url), "0001")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for table, row in AT_0001.items():
                names = ", ".join(row)
                values = ", ".join(f":{name}" for name in row)
                connection.execute(
                    text(f"INSERT INTO {table} ({names}) VALUES ({values})"),
                    {k: _sql_value(v, engine.dialect.name) for k, v in row.items()},
                )
    finally:
        engine.dispose()


def _fresh_url(tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if ON_POSTGRESQL:
        server: postgres.Server = request.getfixturevalue("postgresql")
        return server.create_database()
    (tmp_path / name).mkdir()
    return f"sqlite:///{tmp_path / name / 'arbejdsglaede.db'}"


def _settings(tmp_path: Path, url: str) -> Settings:
    return make_settings(tmp_path / "var", database_url=url)


def _all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            t.name: [tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key))]
            for t in SQLModel.metadata.sorted_tables
        }


def test_an_upgrade_from_the_first_migration_keeps_every_row(
    tmp_path: Path, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    url = _fresh_url(tmp_path, request, "old")
    _database_at_0001(url)
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(AT_0001)
    settings = _settings(tmp_path, url)
    try:
        with caplog.at_level(logging.INFO, logger="arbejdsglaede"):
            prepare_database(settings, engine)
        with engine.connect() as connection:
            assert backup.current_revision(connection) == head_revision()
            for name, row in AT_0001.items():
                table = SQLModel.metadata.tables[name]
                # A column added to one of these tables later must say what an old row gets.
                assert set(table.columns.keys()) == set(row) | set(ADDED[name]), name
                (found,) = connection.execute(select(table)).mappings().all()
                assert {k: found[k] for k in row} == row, name
                assert {k: found[k] for k in ADDED[name]} == ADDED[name], name
        migrated = _all_rows(engine)
    finally:
        engine.dispose()

    # The server backed the old database up before it migrated it, and said where.
    (taken,) = (settings.data_dir / "backups").iterdir()
    assert taken.name.startswith("backup-0001-") and taken.suffix == ".zip"
    assert str(taken) in caplog.text
    assert backup.read_manifest(taken)["alembic_revision"] == "0001"

    # Restored (at 0001, then migrated), the backup gives the same rows as the upgrade.
    restored_url = _fresh_url(tmp_path, request, "restored")
    restored = make_engine(restored_url)
    try:
        backup.restore(restored, taken)
        # The first start after it adds what a new database gets (the question bank), as the
        # upgraded one got it at its start.
        prepare_database(_settings(tmp_path / "restored", restored_url), restored)
        after = _all_rows(restored)
    finally:
        restored.dispose()
    seeded_at = list(SQLModel.metadata.tables["bank_questions"].columns.keys()).index("created_at")
    for rows in (after, migrated):
        rows["bank_questions"] = [
            r[:seeded_at] + r[seeded_at + 1 :] for r in rows["bank_questions"]
        ]
    assert after == migrated


def test_no_backup_of_a_new_or_an_up_to_date_database(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _fresh_url(tmp_path, request, "new")
    settings = _settings(tmp_path, url)
    engine = make_engine(url)
    try:
        prepare_database(settings, engine)
        prepare_database(settings, engine)
    finally:
        engine.dispose()
    assert not (settings.data_dir / "backups").exists()


def test_no_backup_of_an_old_database_without_rows(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = _fresh_url(tmp_path, request, "empty-old")
    command.upgrade(alembic_config(url), "0004")
    settings = _settings(tmp_path, url)
    engine = make_engine(url)
    try:
        prepare_database(settings, engine)
    finally:
        engine.dispose()
    assert not (settings.data_dir / "backups").exists()


def test_no_migration_without_its_backup(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """When the backup cannot be written (here a file stands where its folder goes), the
    server does not start, and the database stays as it was."""
    url = _fresh_url(tmp_path, request, "old")
    _database_at_0001(url)
    settings = _settings(tmp_path, url)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "backups").write_text("not a folder")
    engine = make_engine(url)
    try:
        with pytest.raises(OSError):
            prepare_database(settings, engine)
        with engine.connect() as connection:
            assert backup.current_revision(connection) == "0001"
    finally:
        engine.dispose()
