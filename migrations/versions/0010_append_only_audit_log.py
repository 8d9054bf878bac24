"""the audit log is append-only in the database, with the address of each entry (#14, DESIGN §6)

A trigger refuses every UPDATE of audit_events, and every DELETE of an entry younger than the
audit retention kept in the one row of audit_retention; the retention purge deletes only what
is older. The trigger reads the retention and compares it with the database's own clock, so
the rule holds whatever the application (or anyone with its connection) sends. A missing row
counts as a thousand years: the trigger fails closed.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSED = "audit_events is append-only: only entries older than the audit retention may be deleted"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
    # SQLite stores UTC date-times as 'YYYY-MM-DD HH:MM:SS.ffffff', which sorts as text with
    # datetime('now', ...), also in UTC.
    f"""CREATE TRIGGER audit_events_no_early_delete BEFORE DELETE ON audit_events
    WHEN NOT (OLD.at < datetime('now', '-' || COALESCE(
        (SELECT audit_years FROM audit_retention WHERE id = 1), 1000) || ' years'))
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END""",
]
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.at < now() - make_interval(years => COALESCE(
            (SELECT audit_years FROM audit_retention WHERE id = 1), 1000)) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{REFUSED}';
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]


def upgrade() -> None:
    # The address column itself comes with 0009 (account actions needed it first).
    op.create_table(
        "audit_retention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_years", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name="audit_retention_one_row"),
        sa.CheckConstraint("audit_years >= 1", name="audit_retention_at_least_a_year"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO audit_retention (id, audit_years) VALUES (1, 5)")
    # Last of all: a later batch copy of audit_events on SQLite would drop the triggers.
    for statement in POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_early_delete")
        op.execute("DROP TRIGGER audit_events_no_update")
    op.drop_table("audit_retention")
