"""facilitator settings: focus areas, conversation texts, question bank; a conversation's
snapshot of them; an agreement's focus area (#15, DESIGN §1, §2)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('focus_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_da', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description_da', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('conversation_texts',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('bank_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('text_da', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_questions_step'), ['step'], unique=False)
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings_snapshot', sa.Text(), nullable=True))
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('focus_area_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agreements_focus_area_id'), ['focus_area_id'], unique=False)
        batch_op.create_foreign_key('fk_agreements_focus_area_id_focus_areas', 'focus_areas', ['focus_area_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_constraint('fk_agreements_focus_area_id_focus_areas', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agreements_focus_area_id'))
        batch_op.drop_column('focus_area_id')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('settings_snapshot')
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_questions_step'))
    op.drop_table('bank_questions')
    op.drop_table('conversation_texts')
    op.drop_table('focus_areas')
