"""The schema check on open: a database at head is not migrated again; one behind is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

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
