"""a planned conversation has a time of day, a duration and a place, and can be moved or
cancelled with a reason (issue 15, DESIGN §1 "Before the conversation")

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("duration_minutes", sa.Integer(), nullable=False, server_default="70")
        )
        batch_op.add_column(sa.Column("place", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("invitation_sequence", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("invitation_sequence")
        batch_op.drop_column("place")
        batch_op.drop_column("duration_minutes")
        batch_op.drop_column("starts_at")
