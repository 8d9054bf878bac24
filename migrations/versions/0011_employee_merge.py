"""an employee's history says whom they were merged with (issue 15)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employee_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("employee_events", schema=None) as batch_op:
        batch_op.drop_column("detail")
