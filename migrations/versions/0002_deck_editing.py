"""deck editing: card versions, deck lifecycle dates, staged uploads (DESIGN §3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:05:54.176881

Columns are added in place (ALTER TABLE ADD COLUMN, foreign keys written on the column): a
batch "copy and move" of ``decks`` or ``cards`` would drop a table that other rows refer to,
which SQLite refuses with foreign keys on, and would rewrite every card for nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sqlmodel.sql.sqltypes.UTCDateTime
Text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    # inline_references: "ADD COLUMN … REFERENCES …", valid in SQLite and PostgreSQL alike.
    op.add_column(
        "decks",
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        inline_references=True,
    )
    op.add_column(
        "cards",
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("cards.id"), nullable=True),
        inline_references=True,
    )
    with op.batch_alter_table("decks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", UTC(), nullable=True))
        batch_op.add_column(sa.Column("published_at", UTC(), nullable=True))
        batch_op.add_column(sa.Column("archived_at", UTC(), nullable=True))

    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("retired_at", UTC(), nullable=True))
        batch_op.add_column(sa.Column("is_cover", sa.Boolean(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_cards_retired_at"), ["retired_at"], unique=False)

    op.create_table(
        "deck_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", Text(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", Text(length=200), nullable=False),
        sa.Column("status", Text(length=20), nullable=False),
        sa.Column("manifest_text", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("problem", Text(length=500), nullable=True),
        sa.Column("problem_params", sa.Text(), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("updated_at", UTC(), nullable=False),
        sa.Column("expires_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(["deck_id"], ["decks.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deck_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deck_uploads_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deck_uploads_key"), ["key"], unique=True)
        batch_op.create_index(batch_op.f("ix_deck_uploads_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "deck_upload_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", Text(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("image_sha256", Text(length=64), nullable=True),
        sa.Column("known_image", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("problem", Text(length=500), nullable=True),
        sa.Column("problem_params", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["deck_uploads.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deck_upload_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deck_upload_files_upload_id"), ["upload_id"], unique=False
        )

    op.create_table(
        "deck_upload_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["deck_upload_files.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deck_upload_variants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deck_upload_variants_file_id"), ["file_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deck_upload_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deck_upload_variants_file_id"))
    op.drop_table("deck_upload_variants")
    with op.batch_alter_table("deck_upload_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deck_upload_files_upload_id"))
    op.drop_table("deck_upload_files")
    with op.batch_alter_table("deck_uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deck_uploads_owner_id"))
        batch_op.drop_index(batch_op.f("ix_deck_uploads_key"))
        batch_op.drop_index(batch_op.f("ix_deck_uploads_expires_at"))
    op.drop_table("deck_uploads")
    # recreate="never": SQLite 3.35+ drops a column in place; a copy of decks or cards would
    # drop a table that other rows refer to, which fails with foreign keys on.
    with op.batch_alter_table("cards", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_cards_retired_at"))
        batch_op.drop_column("is_cover")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("previous_id")
        batch_op.drop_column("version")
    with op.batch_alter_table("decks", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("published_at")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("created_by_id")
