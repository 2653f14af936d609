"""handover requests: a proposed change of a client's relationship owner, approved by an admin

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'handoverrequest',
        sa.Column('id', sa.String(), nullable=False),
        sa.Column('client_id', sa.String(), nullable=False),
        sa.Column('from_owner', sa.String(), nullable=True),
        sa.Column('to_owner', sa.String(), nullable=False),
        sa.Column('proposed_by', sa.String(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(), nullable=False),
        sa.Column('decided_by', sa.String(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('moved_actions_json', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['client.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_handoverrequest_client_id', 'handoverrequest', ['client_id'])
    op.create_index('ix_handoverrequest_status', 'handoverrequest', ['status'])


def downgrade() -> None:
    op.drop_index('ix_handoverrequest_status', table_name='handoverrequest')
    op.drop_index('ix_handoverrequest_client_id', table_name='handoverrequest')
    op.drop_table('handoverrequest')
