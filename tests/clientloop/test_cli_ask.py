"""`clientloop ask`, here and with `--server URL`: the same answer, the same output, and no heavy imports remotely."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientloop.api import create_app
from clientloop.cli import app
from clientloop.settings import get_settings
from tests.factories import make_user

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What does a CHAPS payment cost?"


@pytest.fixture
def cli(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENGINE", "rules")
    monkeypatch.delenv("CLIENTLOOP_API_KEY", raising=False)
    monkeypatch.delenv("CLIENTLOOP_SERVER_URL", raising=False)
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


@pytest.fixture
def server(container) -> Iterator[str]:
    """The app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    from clientloop.ingest import ingest_bytes

    ingest_bytes(
        container, b"# Fees\n\n## CHAPS\n\nA CHAPS payment costs \xc2\xa325 per payment.\n", "fees.md", kind="kb"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_ask_server_prints_what_ask_here_prints(cli, container, server, monkeypatch) -> None:
    _user, key = make_user(container, "sam", "service")
    here_json, here_text = cli("ask", QUESTION, "--json"), cli("ask", QUESTION)
    assert here_json.exit_code == 0 and "£25" in here_text.stdout, here_text.output
    monkeypatch.setenv("CLIENTLOOP_API_KEY", key)
    there_json = cli("ask", QUESTION, "--json", "--server", server + "/")
    assert there_json.exit_code == 0, there_json.output
    assert json.loads(there_json.stdout) == json.loads(here_json.stdout)
    assert cli("ask", QUESTION, "--server", server).stdout == here_text.stdout


def test_ask_server_refuses_a_revoked_key_and_names_what_is_missing(cli, container, server, monkeypatch) -> None:
    from records.session import session_scope
    from review.users import revoke_user

    _user, key = make_user(container, "sam", "service")
    r = cli("ask", QUESTION, "--server", server)
    assert r.exit_code == 2 and "CLIENTLOOP_API_KEY" in r.output
    monkeypatch.setenv("CLIENTLOOP_API_KEY", key)
    with session_scope(container.engine) as session:
        revoke_user(session=session, name="sam", actor="test")
    r = cli("ask", QUESTION, "--server", server)
    assert r.exit_code == 1 and "401" in r.output, r.output
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    r = cli("ask", QUESTION, "--server", f"http://127.0.0.1:{closed}")
    assert r.exit_code == 1 and "cannot reach" in r.output, r.output


def test_ask_server_loads_no_retrieval_libraries(container, server, settings) -> None:
    _user, key = make_user(container, "sam", "service")
    heavy = ("chromadb", "onnxruntime", "sqlalchemy", "numpy", "langchain_core", "httpx")
    code = (
        "import sys\n"
        f"sys.argv = ['clientloop', 'ask', {QUESTION!r}, '--server', {server!r}]\n"
        "from clientloop.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CLIENTLOOP_API_KEY": key,
        "CLIENTLOOP_DATA_DIR": str(settings.data_dir),
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "£25" in out.stdout and out.stdout.strip().splitlines()[-1] == "[]", out.stdout
