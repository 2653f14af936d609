from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientloop.cli import app

runner = CliRunner()


@pytest.fixture
def env(settings, monkeypatch) -> dict[str, str]:
    values = {"CLIENTLOOP_DATA_DIR": str(settings.data_dir), "CLIENTLOOP_ENGINE": "rules"}
    if settings.database_url:
        values["CLIENTLOOP_DATABASE_URL"] = settings.database_url
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    from clientloop.settings import get_settings

    get_settings.cache_clear()
    return values


def test_help_does_not_import_heavy_libraries() -> None:
    heavy = "('chromadb', 'onnxruntime', 'langchain_core', 'sqlalchemy')"
    code = f"import sys; from clientloop.cli import app; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ingest_then_ask_json_prints_result_shape(env, tmp_path: Path) -> None:
    doc = tmp_path / "fees.md"
    doc.write_text("# Fees\n\n## CHAPS\n\nA CHAPS payment costs £25 per payment.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(doc), "--kind", "kb"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ask", "What does a CHAPS payment cost?", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"answer", "citations", "documents", "abstained"} <= set(body)
    cite = body["citations"][0]
    assert {"id", "source_title", "heading", "quote", "span"} <= set(cite) and "£25" in cite["quote"]


def test_ingest_batch_reports_bad_file_and_keeps_good(env, tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("# Ok\n\nSome text about savings accounts.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert "bad.txt" in result.output and "ok.md" in result.output


def test_ingest_missing_path_is_a_usage_error(env) -> None:
    result = runner.invoke(app, ["ingest", "/no/such/file.md"])
    assert result.exit_code == 2 and "no such file" in result.output


def test_draft_ingest_and_brief_take_a_crm_id(env, container, tmp_path: Path) -> None:
    from datetime import date

    from clients.demo_book import load_demo_book
    from records.session import session_scope
    from tests.factories import PLAIN_CALL, make_user

    with session_scope(container.engine) as session:
        load_demo_book(session, today=date(2026, 11, 23))
    make_user(container, "priya", "rm")
    make_user(container, "tom", "rm")
    call = tmp_path / "call.txt"
    call.write_text(PLAIN_CALL, encoding="utf-8")
    result = runner.invoke(app, ["draft", str(call), "--client", "CRM-1001", "--as", "priya", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["draft"]["summary"]["client"] == "Esme Achterberg"
    result = runner.invoke(app, ["draft", str(call), "--client", "CRM-1001", "--as", "tom"])
    assert result.exit_code == 1 and "unknown client 'CRM-1001'" in result.output  # another RM's book
    note = tmp_path / "note.md"
    note.write_text("# Note\n\nThe client asked about the ISA allowance.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(note), "--client", "CRM-1001"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["brief", "CRM-1001", "--json", "--as-of", "2026-11-23"])
    assert result.exit_code == 0 and json.loads(result.stdout)["client_name"] == "Esme Achterberg"


def test_version_flag_prints_the_version() -> None:
    from typer.testing import CliRunner

    from clientloop import __version__
    from clientloop.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"clientloop {__version__}"


def test_help_names_values_in_words_not_python_types() -> None:
    import re

    import typer
    from click.testing import CliRunner

    from clientloop.cli import _plain_help, app

    command = _plain_help(typer.main.get_command(app))
    for args in (["--help"], ["ingest", "--help"], ["weekly", "--help"], ["review", "list", "--help"],
                 ["draft", "--help"], ["audit", "verify", "--help"]):
        out = CliRunner().invoke(command, args, terminal_width=120, prog_name="clientloop").output
        assert not re.search(r"<(str|int|bool|float|list\[|Path|datetime)", out), (args, out)
    assert "--client               CLIENT" in CliRunner().invoke(command, ["ingest", "--help"],
                                                                 terminal_width=120).output


def test_draft_json_includes_the_review_item_with_reasons(env, container, tmp_path: Path) -> None:
    from tests.clientloop.api.test_interactions import HELD_CALL
    from tests.factories import make_client, make_user

    make_client(container)
    make_user(container, "priya", "rm")
    call = tmp_path / "call.txt"
    call.write_text(HELD_CALL, encoding="utf-8")
    result = runner.invoke(app, ["draft", str(call), "--client", "Daniel Okafor", "--as", "priya", "--json"])
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)["review"]
    assert review["status"] == "in_review" and review["requires_checker"] is True
    assert [h["reason"] for h in review["holds"]][:1] == ["instruction_in_text"]
    assert "Note to the AI" in review["holds"][0]["matched"]
    names = [f["flag"] for f in review["flags"]]
    assert "money_movement" in names and len(names) == len(set(names))
    assert all(f["reason"].startswith("mentions ") for f in review["flags"])


def test_tables_fit_80_columns_and_keep_the_ids_people_paste(env, container, monkeypatch) -> None:
    from clientloop import cli_common
    from tests.factories import make_book_world

    world = make_book_world(container)
    monkeypatch.setattr(cli_common.console, "_width", 80)
    key_ids = [u["key_id"] for u in json.loads(runner.invoke(app, ["users", "list", "--json"]).stdout)]
    for args, ids in [
        (["review", "list", "--as", "rita"], [world.review_id]),
        (["jobs", "list"], [world.job_id]),
        (["clients", "list", "--as", "priya"], [world.client_id]),
        (["users", "list"], key_ids),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert max(len(line) for line in result.stdout.splitlines()) <= 80, (args, result.stdout)
        for some_id in ids:
            assert some_id in result.stdout, (args, some_id, result.stdout)


def test_main_builds_only_the_command_it_runs() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['clientloop', *sys.argv[1:]]\n"
        "from clientloop.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('clientloop.cli')))\n"
    )

    def loaded(*args: str) -> tuple[str, list[str]]:
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout
        *text, modules = out.strip().splitlines()
        return "\n".join(text), json.loads(modules.replace("'", '"'))

    text, modules = loaded("ask", "--help")
    assert "QUESTION" in text and modules == ["clientloop.cli", "clientloop.cli_ask", "clientloop.cli_common"]
    text, modules = loaded("review", "list", "--help")
    assert "--as" in text and "clientloop.cli_review" in modules and "clientloop.cli_eval" not in modules
    text, modules = loaded("--help")
    assert all(f" {name} " in text for name in ("ask", "ingest", "jobs", "kb", "users")) and len(modules) > 10
