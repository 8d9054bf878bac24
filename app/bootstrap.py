"""First start and every start: migrate, load the default decks, offer the setup link."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from app import migrate
from app.accounts import service as accounts
from app.clock import Clock
from app.config import Settings
from app.db import write_session, writes
from app.decks import service as decks
from app.models import AuditRetention
from app.settings import service as organisation

log = logging.getLogger("arbejdsglaede")


def prepare_database(settings: Settings, engine: Engine) -> None:
    """Idempotent: a second start changes nothing."""
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
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
