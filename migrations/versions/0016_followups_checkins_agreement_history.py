"""follow-up sessions and check-ins are conversations of their own kind, and every review of an
agreement is kept in its history (issue 16, DESIGN §1 "After it", §7)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="mus",
            )
        )
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversations_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversations_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_conversations_parent_id_conversations",
            "conversations",
            ["parent_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grew_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_agreements_grew_from_id_agreements",
            "agreements",
            ["grew_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "agreement_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agreement_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_reviews_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_reviews_conversation_id"), ["conversation_id"], unique=False
        )
    # The reviews made before the history existed: one entry each, at the reviewing
    # conversation's date, so no earlier review is lost from the history.
    op.execute(
        """INSERT INTO agreement_reviews (agreement_id, conversation_id, at, status, comment)
        SELECT a.id, a.reviewed_in_id, COALESCE(c.completed_at, c.created_at), a.status,
               a.follow_up_comment
        FROM agreements a JOIN conversations c ON c.id = a.reviewed_in_id
        WHERE a.reviewed_in_id IS NOT NULL AND a.status <> 'open'"""
    )


def downgrade() -> None:
    op.drop_table("agreement_reviews")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint("fk_agreements_grew_from_id_agreements", type_="foreignkey")
        batch_op.drop_column("grew_from_id")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_conversations_parent_id_conversations", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_conversations_parent_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_kind"))
        batch_op.drop_column("parent_id")
        batch_op.drop_column("kind")
