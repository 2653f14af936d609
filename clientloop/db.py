"""Database engine, sessions and migrations.

The schema is created only by Alembic migrations (`clientloop/migrations`), on SQLite
and PostgreSQL alike; `migrate()` runs them to head and is called by every entry point
before first use, so a fresh data directory needs no extra step.

On PostgreSQL the migrations run as the owner (`CLIENTLOOP_DATABASE_OWNER_URL`, default
the database URL) and the application's connections can drop to a role that may only
read and append audit rows (`CLIENTLOOP_DATABASE_APP_ROLE`, see migration 0004): each new
connection runs `SET ROLE` before the pool hands it out, so no request ever runs as the
owner. `SET ROLE` is a guard against the application's own mistakes and a stolen
application session, not against someone who can send `RESET ROLE`; for that, log the
application in as a role that is only a member of `clientloop_app`.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import create_engine

from clientloop.settings import Settings
from review.audit import MAC_KEY_INFO
from review.checkpoint import load_or_create_key

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x636C6F6F70  # "cloop": the advisory lock every process migrates under


def make_engine(settings: Settings, *, owner: bool = False) -> Engine:
    """Create the SQLAlchemy engine for the configured database.

    With `owner`, the engine migrations use: the owner URL, and no switch to the app role.
    """
    url = settings.resolved_database_url
    if owner and settings.database_owner_url:
        url = settings.database_owner_url
    # Sized from settings on both databases: SQLAlchemy's default (5 kept, 10 more) under 32
    # concurrent requests closed and reopened a connection (with its pragmas or role) on nearly
    # every request, and made the rest queue for one.
    pool = {"pool_size": settings.database_pool_size, "max_overflow": settings.database_max_overflow,
            "pool_timeout": settings.database_pool_timeout_s}
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, **pool)
        _ping_when_idle(engine)
        if settings.database_app_role and not owner:
            event.listen(engine, "connect", _set_role(settings.database_app_role), insert=True)
    if not owner:
        event.listen(engine, "connect", _audit_key(load_or_create_key(settings.resolved_audit_key_file)))
    return engine


_READ_ONLY: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def read_only(engine: Engine) -> Engine:
    """The engine for work that only reads: the same pool, each statement in its own transaction (autocommit).

    A read in a transaction paid two round trips more than its queries (psycopg sends
    `BEGIN` on its own before the first, and `COMMIT` after the last) and the server a
    transaction each. It sees nothing it would not have seen inside one: PostgreSQL's READ
    COMMITTED gives every statement its own snapshot anyway, and pysqlite opens no
    transaction for a SELECT. Nothing that writes may use it (a write would commit at once).
    """
    found = _READ_ONLY.get(engine)
    if found is None:
        found = _READ_ONLY.setdefault(engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    return found


PING_AFTER_IDLE_S = 1.0
"""A pooled PostgreSQL connection unused for longer than this is checked before it is handed out."""
_IDLE_SINCE = "clientloop.idle_since"


def _ping_when_idle(engine: Engine) -> None:
    # SQLAlchemy's `pool_pre_ping` checks every connection on every check-out: a round trip
    # per request (one of the five of a queue page) to guard against a server restart. A
    # connection back in use within a second cannot have gone stale unnoticed, so only one
    # that sat idle longer is checked; a dead one is replaced (DisconnectionError makes the
    # pool retry with a fresh connection) and the request never sees it.
    def checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure to answer: the connection is not worth keeping
            raise DisconnectionError(f"a pooled connection did not answer: {type(exc).__name__}") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _audit_key(key: bytes) -> Any:
    # The key rides on each pooled connection, so `append_event` signs events without the
    # review package ever reading settings or files.
    def on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info[MAC_KEY_INFO] = key

    return on_connect


def _set_role(role: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Outside a transaction: a SET inside one would be undone by the pool's rollback.
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET ROLE "{role}"')  # the name is checked against a strict pattern in Settings
        dbapi_conn.autocommit = autocommit

    return on_connect


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the API read while a worker process writes; foreign keys are off by default.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config(engine: Engine, *, app_role_login: bool = False) -> Any:
    """An Alembic config bound to this engine (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    cfg.attributes["app_role_login"] = app_role_login
    return cfg


def migrate(engine: Engine, *, app_role_login: bool = False) -> None:
    """Bring the schema to the newest migration (run it with the owner's engine).

    On PostgreSQL this holds an advisory lock while it runs: API processes and workers
    starting together on a fresh database would otherwise each run the same migrations and
    fail on one another's tables. The first takes the lock and migrates; the others wait,
    then find the schema at head.
    """
    from alembic import command

    config = alembic_config(engine, app_role_login=app_role_login)
    if engine.dialect.name != "postgresql":
        command.upgrade(config, "head")
        return
    with engine.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
        try:
            command.upgrade(config, "head")
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})


def head_revision() -> str:
    """The newest migration's revision: the file names carry it (`0013_onboarding.py` is `0013`).

    Read from the folder, not through Alembic: importing Alembic and loading every
    migration module cost a `clientloop ask` a fifth of a second to learn that nothing
    needs doing.
    """
    return max(p.name.split("_", 1)[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def at_head(engine: Engine) -> bool:
    """Whether the database records the newest revision (any failure to tell counts as no)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False  # a fresh database, or a role that may not read the table: migrate as before
    return current == [head_revision()]


def migrated_engine(settings: Settings) -> Engine:
    """The application's engine, after migrating to head with the owner's (skipped when already there)."""
    engine = make_engine(settings)
    if at_head(engine):
        return engine
    if settings.database_owner_url or settings.database_app_role:
        owner = make_engine(settings, owner=True)
        try:
            migrate(owner, app_role_login=settings.database_app_role_login)
        finally:
            owner.dispose()
    else:
        migrate(engine, app_role_login=settings.database_app_role_login)
    return engine
