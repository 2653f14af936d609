from __future__ import annotations

from typer.testing import CliRunner

from clientloop.cli import app


def test_demo_runs_every_step_on_embedded_defaults(settings, container, monkeypatch) -> None:
    # `container` empties a shared PostgreSQL database first: the demo creates its own users and clients.
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    from clientloop.settings import get_settings

    get_settings.cache_clear()
    embedded = not settings.database_url  # only then does the data directory hold the database
    if embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "old-work.txt").write_text("an earlier run")
        refused = CliRunner().invoke(app, ["demo"], terminal_width=200)
        assert refused.exit_code == 1 and "clientloop demo --fresh" in refused.output
        assert (settings.data_dir / "old-work.txt").exists()  # nothing deleted without --fresh
    result = CliRunner().invoke(app, ["demo", "--fresh"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not (settings.data_dir / "old-work.txt").exists()
    out = result.output
    assert "Ingested 16 knowledge documents" in out
    assert "call-okafor-2026-11-16.txt" in out and "in_review" in out
    assert "call-adeyemi-2026-11-24.txt" in out and "awaiting_" in out  # unflagged: the RM confirms it
    assert "£25" in out  # the CHAPS fee, quoted from the fee schedule
    assert "Not found in the knowledge base." in out  # the cryptocurrency question abstains
    assert "priya" in out and "clk_" in out
    assert "http://127.0.0.1:8000/ui/" in out
