"""`clientloop kb`: propose, list, approve and reject knowledge changes from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clientloop.cli import app
from clientloop.settings import get_settings
from tests.factories import make_user


@pytest.fixture
def cli(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENV", "test")
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args), terminal_width=200)
    get_settings.cache_clear()


def test_a_change_waits_for_a_second_person_on_the_command_line(cli, container, tmp_path) -> None:
    for name, role in [("kate", "knowledge"), ("ken", "knowledge"), ("priya", "rm")]:
        make_user(container, name, role)
    doc = tmp_path / "fees.md"
    doc.write_text("# Fees\n\n## CHAPS\n\nA CHAPS payment costs £25.\n")
    r = cli("kb", "propose", str(doc), "--as", "kate")
    assert r.exit_code == 0 and "waiting for approval" in r.output, r.output
    change = r.output.split()[1].rstrip(":")
    assert cli("kb", "propose", str(doc), "--as", "priya").exit_code == 1  # an RM may not
    r = cli("kb", "pending", "--as", "ken")
    assert r.exit_code == 0 and change in r.output
    pending = json.loads(cli("kb", "pending", "--as", "ken", "--json").stdout)
    assert [(c["id"], c["filename"], c["status"], c["proposed_by"]) for c in pending] == [
        (change, "fees.md", "pending", "kate")
    ]
    assert cli("kb", "pending", "--as", "priya", "--json").exit_code == 1  # an RM may not see them
    shown = json.loads(cli("kb", "show", change, "--as", "ken", "--json").stdout)
    assert shown["id"] == change and "£25" in shown["text"]
    r = cli("kb", "show", change, "--as", "ken")
    assert r.exit_code == 0 and "CHAPS payment costs £25" in r.stdout and "proposed by kate" in r.stdout, r.output
    assert cli("kb", "show", "nosuch", "--as", "ken").exit_code == 1
    assert cli("kb", "show", change, "--as", "priya").exit_code == 1
    r = cli("kb", "approve", change, "--as", "kate")
    assert r.exit_code == 1 and "second person" in r.output
    r = cli("kb", "approve", change, "--as", "ken")
    assert r.exit_code == 0 and "searchable" in r.output
    r = cli("ask", "What does a CHAPS payment cost?")
    assert "£25" in r.output
