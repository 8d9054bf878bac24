"""conversations

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:10:55.098579
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employees_leader_id"), ["leader_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_deck_id", sa.Integer(), nullable=False),
        sa.Column("inspiration_deck_id", sa.Integer(), nullable=False),
        sa.Column("current_step", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("step_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("revision_client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("note_glad", sa.Text(), nullable=False),
        sa.Column("note_less_glad", sa.Text(), nullable=False),
        sa.Column("note_more_glad", sa.Text(), nullable=False),
        sa.Column("to_employee", sa.Text(), nullable=False),
        sa.Column("to_leader", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("learned", sa.Text(), nullable=False),
        sa.Column("suggestions", sa.Text(), nullable=False),
        sa.Column("no_agreements", sa.Boolean(), nullable=False),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inspiration_deck_id"],
            ["decks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_deck_id"],
            ["decks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_employee_id"), ["employee_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversations_leader_id"), ["leader_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversations_status"), ["status"], unique=False)

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("strategic_area", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("follow_up_comment", sa.Text(), nullable=False),
        sa.Column("reviewed_in_id", sa.Integer(), nullable=True),
        sa.Column("client_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["reviewed_in_id"],
            ["conversations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "client_token"),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreements_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "picks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("row", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("title_da", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("alt_da", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("alt_en", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("image_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["cards.id"],
        ),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("picks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_picks_card_id"), ["card_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_picks_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "step_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "step"),
    )
    with op.batch_alter_table("step_times", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_step_times_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "agreement_cards",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("pick_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pick_id"], ["picks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agreement_id", "pick_id"),
    )


def downgrade() -> None:
    op.drop_table("agreement_cards")
    with op.batch_alter_table("step_times", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_step_times_conversation_id"))

    op.drop_table("step_times")
    with op.batch_alter_table("picks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_picks_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_picks_card_id"))

    op.drop_table("picks")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_conversation_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_status"))
        batch_op.drop_index(batch_op.f("ix_conversations_leader_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_employee_id"))

    op.drop_table("conversations")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employees_leader_id"))

    op.drop_table("employees")
