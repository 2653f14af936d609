"""`clientloop ingest` and `draft` share one `--kind` vocabulary (records.vocabulary, plus `kb`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientloop.cli import app
from clientloop.settings import get_settings
from tests.factories import PLAIN_CALL, make_client, make_user


@pytest.fixture
def cli(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENGINE", "rules")
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_ingest_kinds_are_the_interaction_kinds_and_kb(cli, container, tmp_path: Path) -> None:
    make_client(container)
    call = tmp_path / "call.txt"
    call.write_text(PLAIN_CALL, encoding="utf-8")
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe client asked about the ISA allowance.\n", encoding="utf-8")
    r = cli("ingest", str(call), "--client", "Daniel Okafor", "--kind", "call_transcript", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["results"][0]["kind"] == "transcript"
    r = cli("ingest", str(note), "--client", "Daniel Okafor", "--kind", "meeting_notes", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["results"][0]["kind"] == "note", r.output
    # The older spelling still works; a word outside the vocabulary names the vocabulary.
    r = cli("ingest", str(note), "--client", "Daniel Okafor", "--kind", "transcript", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["results"][0]["outcome"] == "unchanged", r.output
    r = cli("ingest", str(note), "--kind", "memo")
    assert r.exit_code == 2 and "kb, call_transcript, meeting_notes or email" in r.output


def test_draft_takes_the_same_kinds_and_refuses_kb(cli, container, tmp_path: Path) -> None:
    make_client(container)
    make_user(container, "priya", "rm")
    call = tmp_path / "call.txt"
    call.write_text(PLAIN_CALL, encoding="utf-8")
    r = cli("draft", str(call), "--client", "Daniel Okafor", "--kind", "meeting_notes", "--as", "priya", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["draft"]["summary"]["kind"] == "meeting_notes"
    r = cli("draft", str(call), "--client", "Daniel Okafor", "--kind", "kb")
    assert r.exit_code == 2 and "ingest FILE --kind kb" in " ".join(r.output.split())
    assert cli("draft", str(call), "--client", "Daniel Okafor", "--kind", "memo").exit_code == 2


def test_ingest_json_reports_rejected_files_and_exits_1(cli, tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("# Ok\n\nSome text about savings accounts.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"")
    r = cli("ingest", str(tmp_path), "--json")
    assert r.exit_code == 1
    body = json.loads(r.stdout)
    assert [x["filename"] for x in body["results"]] == ["ok.md"]
    assert body["errors"][0]["path"].endswith("bad.txt") and body["errors"][0]["error"]
