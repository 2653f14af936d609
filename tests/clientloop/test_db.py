"""The schema check on open: a database at head is not migrated again; one behind is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from clientloop import db
from clientloop.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=None,  # type: ignore[call-arg]
                    audit_key_file=tmp_path / "audit.key")


def test_head_revision_from_file_names_is_alembics_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    engine = db.make_engine(_settings(tmp_path), owner=True)
    assert db.head_revision() == ScriptDirectory.from_config(db.alembic_config(engine)).get_current_head()


def test_a_database_at_head_is_not_migrated_again_one_behind_is(tmp_path: Path, monkeypatch) -> None:
    settings = _settings(tmp_path)
    db.migrated_engine(settings).dispose()  # a fresh database: migrated to head
    calls: list[str] = []
    monkeypatch.setattr(db, "migrate", lambda engine, **_: calls.append(str(engine.url)))
    db.migrated_engine(settings).dispose()
    assert calls == []
    engine = db.make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    db.migrated_engine(settings).dispose()
    assert len(calls) == 1


@pytest.mark.parametrize("setup", ["", "CREATE TABLE other (x INTEGER)"])
def test_a_database_without_a_recorded_revision_is_not_at_head(tmp_path: Path, setup: str) -> None:
    engine = db.make_engine(_settings(tmp_path))
    if setup:
        with engine.begin() as conn:
            conn.execute(text(setup))
    assert db.at_head(engine) is False


def test_the_pool_size_overflow_and_wait_from_settings_reach_the_engine(tmp_path: Path, monkeypatch,
                                                                        database_url) -> None:
    monkeypatch.setenv("CLIENTLOOP_DATABASE_POOL_SIZE", "7")
    monkeypatch.setenv("CLIENTLOOP_DATABASE_MAX_OVERFLOW", "3")
    monkeypatch.setenv("CLIENTLOOP_DATABASE_POOL_TIMEOUT_S", "2.5")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url,  # type: ignore[call-arg]
                        audit_key_file=tmp_path / "audit.key")
    engine = db.make_engine(settings)
    try:
        assert engine.pool.size() == 7
        assert engine.pool._max_overflow == 3 and engine.pool._timeout == 2.5  # no public reader for these two
    finally:
        engine.dispose()


def test_a_request_finding_every_connection_taken_fails_as_unavailable_after_the_wait(tmp_path: Path,
                                                                                       database_url) -> None:
    import time

    from records.errors import DatabaseUnavailable
    from records.session import session_scope

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url,  # type: ignore[call-arg]
                        audit_key_file=tmp_path / "audit.key", database_pool_size=1, database_max_overflow=0,
                        database_pool_timeout_s=0.2)
    engine = db.make_engine(settings)
    try:
        with engine.connect() as held:
            held.execute(text("SELECT 1"))
            t0 = time.monotonic()
            with pytest.raises(DatabaseUnavailable, match="CLIENTLOOP_DATABASE_POOL_SIZE"), \
                    session_scope(engine) as session:
                session.execute(text("SELECT 1"))
            assert 0.15 < time.monotonic() - t0 < 5
        with session_scope(engine) as session:  # given back, the one connection serves again
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine(tmp_path: Path, database_url):
    if not database_url or not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite connections are files and never go stale")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url,  # type: ignore[call-arg]
                        audit_key_file=tmp_path / "audit.key", database_pool_size=1, database_max_overflow=0)
    engine = db.make_engine(settings)
    yield engine
    engine.dispose()


def test_a_connection_back_in_use_at_once_is_not_pinged_one_left_idle_is(pg_engine, monkeypatch) -> None:
    pings: list[object] = []
    ping = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))
    for _ in range(3):
        with pg_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []  # a round trip saved on every request under load
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    with pg_engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(pings) == 1


def test_a_connection_the_server_dropped_while_idle_is_replaced_unseen(pg_engine, monkeypatch) -> None:
    with pg_engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(pg_engine.url)
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
    finally:
        admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if it had sat idle past the limit
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != first


def test_the_read_only_engine_shares_the_pool_and_runs_each_statement_outside_a_transaction(tmp_path: Path) -> None:
    engine = db.make_engine(Settings(_env_file=None, env="test", data_dir=tmp_path))  # type: ignore[call-arg]
    reads = db.read_only(engine)
    assert db.read_only(engine) is reads  # built once per engine
    assert reads.pool is engine.pool
    with reads.connect() as conn:
        assert conn.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
        conn.execute(text("CREATE TABLE seen (n INTEGER)"))
        conn.execute(text("INSERT INTO seen VALUES (1)"))
    # Autocommit: what a statement did is there for the next connection without a commit.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM seen")).scalar_one() == 1
        assert "isolation_level" not in conn.get_execution_options()  # the engine's own stay transactional
    engine.dispose()
