"""onboarding: cases (a signature date) and their phases (owner, due time, done)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'onboardingcase',
        sa.Column('id', sa.String(), nullable=False),
        sa.Column('client_id', sa.String(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('mandate', sa.String(), nullable=False),
        sa.Column('opened_by', sa.String(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_onboardingcase_client_id', 'onboardingcase', ['client_id'])
    op.create_table(
        'onboardingphase',
        sa.Column('id', sa.String(), nullable=False),
        sa.Column('case_id', sa.String(), nullable=False),
        sa.Column('key', sa.String(), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('owner', sa.String(), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('done_by', sa.String(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['onboardingcase.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'key', name='uq_onboardingphase_case_key'),
    )
    op.create_index('ix_onboardingphase_case_id', 'onboardingphase', ['case_id'])


def downgrade() -> None:
    op.drop_index('ix_onboardingphase_case_id', table_name='onboardingphase')
    op.drop_table('onboardingphase')
    op.drop_index('ix_onboardingcase_client_id', table_name='onboardingcase')
    op.drop_table('onboardingcase')
