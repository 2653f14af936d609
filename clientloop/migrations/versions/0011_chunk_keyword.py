"""chunk keyword index: SQLite FTS5 / PostgreSQL tsvector + GIN, backfilled from the chunk rows

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from knowledge.keyword_index import DROP_DDL, KeywordRow, create_schema, index_chunks

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 2000


def upgrade() -> None:
    conn = op.get_bind()
    create_schema(conn)
    # Existing data directories: every committed chunk row gets its keyword row now.
    rows = conn.execute(
        sa.text(
            "SELECT chunk.id, chunk.source_id, chunk.text, source.kind, source.client_id "
            "FROM chunk JOIN source ON source.id = chunk.source_id ORDER BY chunk.id"
        )
    ).all()
    for begin in range(0, len(rows), _BATCH):
        index_chunks(conn, [KeywordRow(*r) for r in rows[begin : begin + _BATCH]])


def downgrade() -> None:
    conn = op.get_bind()
    for ddl in DROP_DDL[conn.dialect.name]:
        conn.execute(sa.text(ddl))
