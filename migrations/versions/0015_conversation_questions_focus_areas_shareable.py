"""the leader chooses and marks questions and picks focus areas for a conversation; the
employee may let their suggestions be shared anonymously (issue 15, DESIGN §1)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('conversation_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_da', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('marked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'step', 'position')
    )
    with op.batch_alter_table('conversation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_questions_conversation_id'), ['conversation_id'], unique=False)
    op.create_table('conversation_focus_areas',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_da', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'focus_area_id')
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('suggestions_shareable', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('suggestions_shareable')
    op.drop_table('conversation_focus_areas')
    with op.batch_alter_table('conversation_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_questions_conversation_id'))
    op.drop_table('conversation_questions')
