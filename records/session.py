"""Sessions and the writers' lock, shared by every package that writes records.

`session_scope` commits on success and rolls back on error. `lock_for_write` serialises
writers that read-then-write (the audit appender, review decisions): on PostgreSQL a
transaction-scoped advisory lock; on SQLite a zero-row write takes the database's single
write lock first (a plain read would not, and two appenders could both read the same
chain head). Either way the lock is held until the surrounding transaction ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from records.errors import DatabaseUnavailable, DuplicateRecord

_ADVISORY_KEY = 0x636C6175646974  # "claudit": one fixed key for the audit chain
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()
_LOCK_KEY = "clientloop.write_lock"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    SQLAlchemy's errors are mapped here, at the seam: a uniqueness violation becomes
    `DuplicateRecord` (the caller lost a race), a failing database or a connection pool with
    none free `DatabaseUnavailable`.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except sa_exc.IntegrityError as exc:
            session.rollback()
            raise DuplicateRecord(f"the record already exists ({_first_line(exc.orig)})") from exc
        except sa_exc.OperationalError as exc:
            session.rollback()
            raise DatabaseUnavailable(f"the database failed: {_first_line(exc.orig)}") from exc
        except sa_exc.TimeoutError as exc:
            session.rollback()
            raise DatabaseUnavailable("no database connection came free in time: every one in the pool is in use "
                                      "(CLIENTLOOP_DATABASE_POOL_SIZE, _MAX_OVERFLOW)") from exc
        except BaseException:
            session.rollback()
            raise


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def lock_for_write(session: Session) -> None:
    """Take the lock that serialises writers for the rest of the transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
    elif bind.dialect.name == "sqlite":
        _queue_in_process(session, str(bind.engine.url))
        # pysqlite opens a transaction only at the first write; this zero-row write makes
        # SQLite take its RESERVED lock now, before the caller reads what it will change.
        session.execute(text("UPDATE auditevent SET id = id WHERE 0 = 1"))


def _queue_in_process(session: Session, url: str) -> None:
    # SQLite's busy handler polls with sleeps of up to 100 ms, so under many concurrent
    # writers in one process the waits are long and unfair (that is what dominated p99).
    # Threads of one process queue on a plain lock first and reach SQLite one at a time.
    # Only when this transaction has not written yet: a writer already holding SQLite's
    # lock must never wait on a thread that is itself waiting for SQLite.
    if _LOCK_KEY in session.info:
        return
    dbapi = session.connection().connection.dbapi_connection
    if dbapi is None or getattr(dbapi, "in_transaction", True):
        return
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.setdefault(url, threading.Lock())
    if not lock.acquire(timeout=30):
        return  # fall back to SQLite's own locking
    session.info[_LOCK_KEY] = lock
    if not sa_event.contains(session, "after_transaction_end", _release_process_lock):
        sa_event.listen(session, "after_transaction_end", _release_process_lock)


def _release_process_lock(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        lock = session.info.pop(_LOCK_KEY, None)
        if lock is not None:
            lock.release()
