"""Onboarding over HTTP and on the command line: open, read, advance; roles as everywhere else."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clientloop.api import create_app
from clientloop.cli import app
from clientloop.settings import get_settings
from clients.demo_book import load_demo_book
from records.session import session_scope
from tests.factories import auth_headers, make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def api(container):
    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    keys = {name: make_user(container, name, role)[1]
            for name, role in [("priya", "rm"), ("tom", "rm"), ("sam", "service")]}
    client = TestClient(create_app(container))

    def call(method: str, path: str, who: str, **kw):
        return client.request(method, path, headers=auth_headers(keys[who]), **kw)

    return call


def test_open_read_and_advance_over_http_by_role(api):
    r = api("POST", "/v1/clients/CRM-1001/onboarding", "priya",
            json={"signed_at": "2026-11-20T10:00:00Z", "mandate": "ISA"})
    assert r.status_code == 201, r.text
    assert r.json()["next_phase"] == "welcome" and len(r.json()["phases"]) == 9
    assert api("GET", "/v1/clients/CRM-1001/onboarding", "tom").status_code == 404
    assert api("GET", "/v1/onboarding", "sam").status_code == 403
    r = api("POST", "/v1/clients/CRM-1001/onboarding/welcome/done", "priya", json={"note": "sent"})
    assert r.status_code == 200 and r.json()["phases"][0]["done_by"] == "priya"
    assert api("POST", "/v1/clients/CRM-1001/onboarding/welcome/done", "priya", json={}).status_code == 422
    assert [c["client_name"] for c in api("GET", "/v1/onboarding", "priya").json()] == ["Esme Achterberg"]
    assert api("GET", "/v1/onboarding", "tom").json() == []


def test_onboarding_commands(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENV", "test")
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    make_user(container, "priya", "rm")
    cli = CliRunner()
    opened = cli.invoke(app, ["onboarding", "open", "CRM-1001", "--signed", "2026-11-20T10:00", "--as", "priya",
                              "--json"])
    assert opened.exit_code == 0, opened.stdout + opened.stderr
    done = cli.invoke(app, ["onboarding", "advance", "CRM-1001", "kickoff", "--note", "held", "--as", "priya",
                            "--json"])
    assert json.loads(done.stdout)["phases"][3]["status"] == "done"
    listed = json.loads(cli.invoke(app, ["onboarding", "list", "--as", "priya", "--json"]).stdout)
    assert listed[0]["client_name"] == "Esme Achterberg"
    shown = cli.invoke(app, ["onboarding", "show", "CRM-1001"]).stdout
    assert "kickoff" in shown and "done 20" in shown and "Operations team" in shown
    assert cli.invoke(app, ["onboarding", "open", "CRM-1001", "--signed", "soon"]).exit_code == 2
    get_settings.cache_clear()
