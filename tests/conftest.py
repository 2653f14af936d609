"""Shared fixtures.

The database under test is SQLite in a temporary folder by default. Set
`CLIENTLOOP_TEST_DATABASE_URL` (e.g. `postgresql+psycopg://postgres@127.0.0.1:5432/test`)
to run the whole suite on PostgreSQL: a fresh database is created for the session and
every table is emptied between tests.

Real network calls are blocked for every test (pytest-socket, loopback only); model
calls go to fakes unless a test starts its own local server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clientloop.container import Container
from clientloop.settings import Settings, get_settings
from tests.eval_data import missing_eval_data
from tests.factories import truncate_all

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO = REPO / "clientloop" / "demo_data"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str | None]:
    """None for per-test SQLite, or the URL of a PostgreSQL database made for this run."""
    base = os.environ.get("CLIENTLOOP_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    name = f"clientloop_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _test_settings(data_dir: Path, database_url: str | None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        database_url=database_url,
        engine="rules",
        embedding_provider="onnx",
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Iterator[Settings]:
    """Settings for one test: its own data directory, embedded Chroma, rules engine."""
    get_settings.cache_clear()
    yield _test_settings(tmp_path / "data", database_url)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embeddings() -> object:
    """One local embedding model for the whole run (it loads lazily, once)."""
    from pipeline.embeddings import make_embeddings

    return make_embeddings(Settings(_env_file=None))  # type: ignore[call-arg]


@pytest.fixture
def container(settings: Settings, embeddings: object) -> Iterator[Container]:
    """A container on a clean database, sharing the session's embedding model."""
    c = Container(settings)
    c.__dict__["embeddings"] = embeddings
    if settings.database_url:
        truncate_all(c)
    yield c
    c.engine.dispose()


@pytest.fixture(scope="module")
def module_container(tmp_path_factory: pytest.TempPathFactory, database_url: str | None,
                     embeddings: object) -> Iterator[Container]:
    """A container shared by the tests of one module: for matrices of reads over one set of records."""
    get_settings.cache_clear()
    c = Container(_test_settings(tmp_path_factory.mktemp("module") / "data", database_url))
    c.__dict__["embeddings"] = embeddings
    if database_url:
        truncate_all(c)
    yield c
    c.engine.dispose()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder beside the repository (evaluation data); skips if absent (fails where it is required)."""
    if not SHARED.exists():
        missing_eval_data(f"{SHARED} is not present: the evaluation data lives beside the repository")
    return SHARED
