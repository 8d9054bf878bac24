"""First start and every start: migrate, load the default decks, offer the setup link."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app import backup, migrate
from app.accounts import service as accounts
from app.clock import Clock, utcnow
from app.config import Settings
from app.db import write_session, writes
from app.decks import service as decks
from app.models import AuditRetention
from app.settings import service as organisation

log = logging.getLogger("arbejdsglaede")


def prepare_database(settings: Settings, engine: Engine) -> None:
    """Idempotent: a second start changes nothing. Several processes starting at once take
    turns, so the database is migrated and the default decks loaded once."""
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    with migrate.one_at_a_time(engine):
        backup_before_upgrade(settings, engine, now=utcnow())
        migrate.upgrade(settings.sqlalchemy_url)
        with write_session(engine) as session:
            store_audit_retention(session, years=settings.retention_audit_years)
            # The question bank written for this product, once, so that it can be edited.
            organisation.seed_bank_questions(session)
        if settings.load_default_decks:
            with write_session(engine) as session:
                for line in decks.load_default_decks(
                    session, cards_dir=settings.cards_dir, max_pixels=settings.max_image_pixels
                ):
                    log.info("default decks: %s", line)


def backup_before_upgrade(settings: Settings, engine: Engine, *, now: datetime) -> Path | None:
    """A backup of an existing database with data that is behind this version, taken before
    it is migrated (DESIGN §5: upgrades keep every row; this file is the way back)."""
    with engine.connect() as connection:
        current = backup.current_revision(connection)
        behind = current is not None and current != migrate.head_revision()
        with_rows = behind and bool(backup.tables_with_rows(connection))
        connection.rollback()
    if not with_rows:
        return None
    folder = settings.data_dir / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"backup-{current}-{now:%Y%m%dT%H%M%SZ}.zip"
    log.info(
        "database at revision %s, behind %s: backing it up first", current, migrate.head_revision()
    )
    summary = backup.backup(engine, path)
    log.info("%s", summary.line("backup before migrating written to", path))
    return path


@writes
def store_audit_retention(session: Session, *, years: int) -> None:
    """The audit retention where the database's trigger reads it (migration 0010), from the
    settings at every start; an unchanged one writes nothing."""
    row = session.get(AuditRetention, 1)
    if row is None:
        session.add(AuditRetention(id=1, audit_years=years))
    elif row.audit_years != years:
        row.audit_years = years
        session.add(row)


def announce_setup_link(settings: Settings, engine: Engine, clock: Clock) -> str | None:
    """While no user exists, print a one-time link that creates the first admin."""
    with write_session(engine) as session:
        token = accounts.issue_setup_token(
            session, now=clock(), valid_for=timedelta(hours=settings.setup_link_hours)
        )
    if token is None:
        return None
    url = f"{settings.base_url.rstrip('/')}/setup?token={token}"
    # print, not only log: this is the one line the person at the console must see.
    print(
        f"\n  Arbejdsglæde: create the first administrator here (valid "
        f"{settings.setup_link_hours} hours, once):\n\n    {url}\n",
        flush=True,
    )
    return url
