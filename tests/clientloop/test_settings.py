"""Engines are enabled by the operator, never chosen into existence by a request."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select
from typer.testing import CliRunner

from clientloop.api import create_app
from clientloop.settings import Settings, get_settings
from pipeline.errors import EngineDisabled
from records.tables import Source
from tests.factories import PLAIN_CALL, auth_headers, make_client, make_user


def test_only_the_default_engine_is_enabled_unless_the_operator_lists_more() -> None:
    s = Settings(_env_file=None)
    assert s.enabled_engines == ("rules",)
    assert s.engine_for(None) == "rules"
    with pytest.raises(EngineDisabled, match="CLIENTLOOP_ENGINES"):
        s.engine_for("llm")


def test_engines_come_from_a_comma_list_and_llm_needs_an_explicit_endpoint(monkeypatch) -> None:
    monkeypatch.setenv("CLIENTLOOP_ENGINES", "rules, llm")
    with pytest.raises(ValidationError, match="CLIENTLOOP_LLM_BASE_URL"):
        Settings(_env_file=None)
    monkeypatch.setenv("CLIENTLOOP_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    s = Settings(_env_file=None)
    assert s.enabled_engines == ("rules", "llm") and s.engine_for("llm") == "llm"
    monkeypatch.delenv("CLIENTLOOP_LLM_BASE_URL")
    monkeypatch.setenv("CLIENTLOOP_LLM_API_KEY", "sk-a-real-looking-key-0123456789")
    assert Settings(_env_file=None).engine_for("llm") == "llm"  # a real key: OpenAI, by the operator's choice
    monkeypatch.setenv("CLIENTLOOP_ENGINES", "llm")
    with pytest.raises(ValidationError, match="not in CLIENTLOOP_ENGINES"):
        Settings(_env_file=None)  # the default engine (rules) must itself be enabled


def test_api_refuses_a_disabled_engine_with_422_and_stores_nothing(container) -> None:
    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    api = TestClient(create_app(container))
    r = api.post("/v1/ask", json={"question": "What is the CHAPS fee?", "engine": "llm"}, headers=auth_headers(key))
    assert r.status_code == 422 and "not enabled" in r.text
    r = api.post("/v1/interactions", headers=auth_headers(key),
                 data={"client": "Daniel Okafor", "kind": "call_transcript", "engine": "llm"},
                 files={"file": ("call.txt", PLAIN_CALL.encode(), "text/plain")})
    assert r.status_code == 422 and "not enabled" in r.text
    with Session(container.engine) as s:
        assert s.exec(select(Source)).all() == []


def test_cli_draft_refuses_a_disabled_engine(container, settings, monkeypatch, tmp_path) -> None:
    from clientloop.cli import app

    make_client(container)
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    path = tmp_path / "call.txt"
    path.write_text(PLAIN_CALL)
    r = CliRunner().invoke(app, ["draft", str(path), "--client", "Daniel Okafor", "--engine", "llm"])
    get_settings.cache_clear()
    assert r.exit_code != 0 and "not enabled" in r.output


def test_the_console_script_reports_bad_settings_without_a_traceback(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(tmp_path / "d"), "CLIENTLOOP_ENGINES": "rules,llm",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("CLIENTLOOP_LLM_BASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "clientloop.cli", "ask", "CHAPS fee?"], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "configuration error" in r.stderr and "Traceback" not in r.stderr
