"""Fixtures for the composition root's tests."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from clientloop.cli import app
from clientloop.settings import get_settings


@pytest.fixture
def cli(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENV", "test")
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()
