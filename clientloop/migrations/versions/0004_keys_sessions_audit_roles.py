"""key expiry and revocation, web sessions, audit roles

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00

On PostgreSQL this also separates who owns the audit trail from who writes it:

- `clientloop_owner` (NOLOGIN) owns `auditevent` and its trigger functions. The role
  running migrations is made a member, so later migrations can still change the table.
- `clientloop_app` (NOLOGIN, or LOGIN with CLIENTLOOP_DATABASE_APP_ROLE_LOGIN=true) may
  read and write every application table, but on `auditevent` only SELECT and INSERT:
  it cannot UPDATE, DELETE or TRUNCATE audit rows, and, not being the owner, cannot
  ALTER the table to disable a trigger. The running app uses it through
  CLIENTLOOP_DATABASE_APP_ROLE (`SET ROLE` on every connection) or by logging in as it.
- A statement trigger refuses TRUNCATE (row triggers never see one), whoever sends it;
  only the owner can disable it, which it could always do by dropping the table.

Roles belong to the whole PostgreSQL cluster, not to one database: they are created only
when missing (several databases, and concurrent test runs, share them), and the
downgrade revokes this database's grants but leaves the roles in place.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNER_ROLE = "clientloop_owner"
APP_ROLE = "clientloop_app"


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('websession',
    sa.Column('id', sa.String(), nullable=False),
    sa.Column('token_hash', sa.String(), nullable=False),
    sa.Column('user_id', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_websession_token_hash'), ['token_hash'], unique=True)
        batch_op.create_index(batch_op.f('ix_websession_user_id'), ['user_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        login = bool(op.get_context().config.attributes.get("app_role_login", False))
        for statement in _postgres_roles(login):
            op.execute(statement)


def _ensure_role(name: str, login: bool) -> str:
    # Roles are cluster-wide and concurrent migrations may race to create one: create only
    # when missing and take "already exists" from a racing session as success.
    return f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') THEN
        CREATE ROLE {name} {'LOGIN' if login else 'NOLOGIN'};
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""


def _grant_to_migrator(name: str) -> str:
    # A superuser is a member of every role already; anyone else needs the grant to own
    # (OWNER_ROLE) or switch to (APP_ROLE) it.
    return f"""
DO $$
BEGIN
    IF NOT pg_has_role(current_user, '{name}', 'MEMBER') THEN
        EXECUTE format('GRANT {name} TO %I', current_user);
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""


_NO_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'auditevent is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

_NO_TRUNCATE_TRIGGER = """
CREATE TRIGGER auditevent_no_truncate
BEFORE TRUNCATE ON auditevent
FOR EACH STATEMENT EXECUTE FUNCTION auditevent_no_truncate()
"""


def _postgres_roles(login: bool) -> list[str]:
    return [
        _ensure_role(OWNER_ROLE, False),
        _ensure_role(APP_ROLE, login),
        _grant_to_migrator(OWNER_ROLE),
        _grant_to_migrator(APP_ROLE),
        _NO_TRUNCATE_FUNCTION,
        _NO_TRUNCATE_TRIGGER,
        f"ALTER TABLE auditevent OWNER TO {OWNER_ROLE}",
        f"ALTER FUNCTION auditevent_append_only() OWNER TO {OWNER_ROLE}",
        f"ALTER FUNCTION auditevent_no_truncate() OWNER TO {OWNER_ROLE}",
        f"GRANT USAGE ON SCHEMA {_schema()} TO {APP_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {_schema()} TO {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema()} TO {APP_ROLE}",
        # Tables later migrations create (run by the same role) get the same grants.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema()} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {_schema()} GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}",
        # The audit trail: read and append, nothing else; the schema version is the migrator's.
        "REVOKE ALL ON auditevent FROM PUBLIC",
        f"REVOKE ALL ON auditevent FROM {APP_ROLE}",
        f"GRANT SELECT, INSERT ON auditevent TO {APP_ROLE}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}",
    ]


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT quote_ident(current_schema())")).scalar())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        schema = _schema()
        for statement in (
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {APP_ROLE}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {APP_ROLE}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {APP_ROLE}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {APP_ROLE}",
            f"REVOKE ALL ON SCHEMA {schema} FROM {APP_ROLE}",
            "ALTER TABLE auditevent OWNER TO current_user",
            "ALTER FUNCTION auditevent_append_only() OWNER TO current_user",
            "DROP TRIGGER IF EXISTS auditevent_no_truncate ON auditevent",
            "DROP FUNCTION IF EXISTS auditevent_no_truncate()",
        ):
            op.execute(statement)
    with op.batch_alter_table('websession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_websession_user_id'))
        batch_op.drop_index(batch_op.f('ix_websession_token_hash'))

    op.drop_table('websession')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('rotated_at')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('key_expires_at')
