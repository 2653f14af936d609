from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from clientloop.cli import app
from clientloop.settings import get_settings
from tests.factories import COMPLAINT_CALL, content_of, make_client, make_draft, review_of

runner = CliRunner()


@pytest.fixture
def cli(container, settings, monkeypatch):
    monkeypatch.setenv("CLIENTLOOP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLIENTLOOP_ENV", "test")
    if settings.database_url:
        monkeypatch.setenv("CLIENTLOOP_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()

    def run(*args: str):
        return runner.invoke(app, list(args))

    yield run
    get_settings.cache_clear()


def test_users_add_prints_key_once(cli) -> None:
    r = cli("users", "add", "rita", "--role", "reviewer")
    assert r.exit_code == 0 and r.stdout.strip().startswith("clk_")
    r = cli("users", "add", "rita", "--role", "reviewer")
    assert r.exit_code == 1 and "already exists" in r.output
    assert cli("users", "add", "x", "--role", "root").exit_code == 1


def test_users_list_revoke_rotate_and_expiry(cli, container) -> None:
    from fastapi.testclient import TestClient

    from clientloop.api import create_app
    from tests.factories import auth_headers

    rita_key = cli("users", "add", "rita", "--role", "reviewer").stdout.strip()
    rex_key = cli("users", "add", "rex", "--role", "reviewer", "--expires-in-days", "0").stdout.strip()
    api = TestClient(create_app(container))
    assert api.get("/v1/reviews", headers=auth_headers(rita_key)).status_code == 200
    rows = {r["name"]: r for r in json.loads(cli("users", "list", "--json").stdout)}
    assert rows["rita"]["state"] == "active" and rows["rita"]["key_expires_at"]  # CLIENTLOOP_API_KEY_DAYS
    assert rows["rex"]["key_expires_at"] is None and len(rows["rex"]["key_id"]) == 12
    assert rita_key not in json.dumps(rows) and "sha256" not in json.dumps(rows)

    r = cli("users", "rotate", "rita", "--expires-in-days", "7", "--by", "ada")
    assert r.exit_code == 0, r.output
    new_key = r.stdout.strip()
    assert new_key.startswith("clk_") and new_key != rita_key
    assert api.get("/v1/reviews", headers=auth_headers(rita_key)).status_code == 401
    assert api.get("/v1/reviews", headers=auth_headers(new_key)).status_code == 200

    r = cli("users", "revoke", "rex", "--by", "ada")
    assert r.exit_code == 0, r.output
    assert api.get("/v1/reviews", headers=auth_headers(rex_key)).status_code == 401
    assert cli("users", "revoke", "rex").exit_code == 1  # already revoked
    assert cli("users", "rotate", "rex").exit_code == 1  # a revoked user stays revoked
    assert cli("users", "revoke", "nobody").exit_code == 1
    rows = {r["name"]: r for r in json.loads(cli("users", "list", "--json").stdout)}
    assert rows["rex"]["state"] == "revoked" and rows["rex"]["revoked_at"]
    assert rows["rita"]["rotated_at"] and rows["rita"]["state"] == "active"
    assert "rex" in cli("users", "list").stdout


def test_review_list_show_edit_approve_and_verify(cli, container, tmp_path) -> None:
    make_client(container)
    cli("users", "add", "priya", "--role", "rm")
    cli("users", "add", "rita", "--role", "reviewer")
    cli("users", "add", "rex", "--role", "reviewer")
    draft = make_draft(container, COMPLAINT_CALL)
    item = review_of(container, draft.id)
    r = cli("review", "list", "--as", "rita", "--json", "--flag", "complaint")
    assert r.exit_code == 0, r.output
    assert [i["id"] for i in json.loads(r.stdout)["items"]] == [item.id]
    r = cli("review", "show", item.id, "--as", "priya", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["source_text"] == COMPLAINT_CALL
    assert cli("review", "approve", item.id, "--as", "priya").exit_code == 1  # maker-checker
    edited = content_of(draft)
    edited["summary"]["key_facts"] = ["Complaint logged"]
    path = tmp_path / "edit.json"
    path.write_text(json.dumps(edited))
    r = cli("review", "edit", item.id, "--as", "rita", "--file", str(path), "--version", "1")
    assert r.exit_code == 0, r.output
    assert cli("review", "approve", item.id, "--as", "rita").exit_code == 1  # the editor cannot approve
    assert cli("review", "approve", item.id, "--as", "rex", "--version", "1").exit_code == 1  # stale
    r = cli("review", "approve", item.id, "--as", "rex")
    assert r.exit_code == 0 and "released: record" in r.output
    assert cli("review", "reject", item.id, "--as", "rex", "--reason", "late").exit_code == 1  # already decided
    r = cli("audit", "verify")
    assert r.exit_code == 0 and "ok" in r.output


def test_audit_verify_names_the_broken_event(cli, container) -> None:
    make_client(container)
    make_draft(container)
    with container.engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        if pg:
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        conn.execute(text("UPDATE auditevent SET actor = 'mallory' WHERE id = 2"))
        if pg:
            conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only"))
    r = cli("audit", "verify")
    assert r.exit_code == 1 and "event 2" in r.output


def test_reject_requires_reason(cli, container) -> None:
    make_client(container)
    cli("users", "add", "rita", "--role", "reviewer")
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    assert cli("review", "reject", item.id, "--as", "rita", "--reason", " ").exit_code == 2
    assert cli("review", "reject", item.id, "--as", "rita").exit_code == 2


def test_review_release_retries_idempotently_and_refuses_service(cli, container) -> None:
    make_client(container)
    for name, role in [("priya", "rm"), ("rita", "reviewer"), ("sam", "service")]:
        cli("users", "add", name, "--role", role)
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    r = cli("review", "release", item.id, "--as", "rita")
    assert r.exit_code == 1 and "NotApproved" in r.output  # nothing approved yet
    assert cli("review", "approve", item.id, "--as", "rita").exit_code == 0
    r = cli("review", "release", item.id, "--as", "rita")
    assert r.exit_code == 0 and "(already released)" in " ".join(r.output.split())  # Rich wraps lines
    r = cli("review", "release", item.id, "--as", "sam")
    assert r.exit_code == 1 and "Forbidden" in r.output


def test_audit_verify_deep_reports_a_record_that_disagrees_with_the_trail(cli, container) -> None:
    from tests.factories import release_one

    _c, draft, _record, _decision = release_one(container)
    r = cli("audit", "verify", "--deep")
    assert r.exit_code == 0, r.output
    assert "0 disagreement(s)" in r.output
    with container.engine.begin() as conn:
        conn.execute(text("UPDATE draft SET content_json = '{}' WHERE id = :i"), {"i": draft.id})
    r = cli("audit", "verify", "--deep", "--json")
    assert r.exit_code == 1
    report = json.loads(r.output)
    assert report["chain"]["ok"] and not report["ok"]
    assert [(d["table"], d["record_id"]) for d in report["disagreements"]] == [("draft", draft.id)]


def test_audit_checkpoint_then_a_cut_tail_fails_verify(cli, container) -> None:
    make_client(container)
    make_draft(container)
    r = cli("audit", "checkpoint")
    assert r.exit_code == 0 and "checkpoint: event" in r.output
    assert container.settings.resolved_audit_checkpoint_file.exists()
    with container.engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        if pg:
            conn.execute(text("ALTER TABLE auditevent DISABLE TRIGGER auditevent_append_only"))
        conn.execute(text("DELETE FROM auditevent WHERE id = (SELECT max(id) FROM auditevent)"))
        if pg:
            conn.execute(text("ALTER TABLE auditevent ENABLE TRIGGER auditevent_append_only"))
    r = cli("audit", "verify")
    assert r.exit_code == 1 and "cut from the tail" in r.output


def test_worker_writes_a_checkpoint_when_one_is_due(container) -> None:
    from clientloop.worker import run_worker
    from review.checkpoint import read_checkpoints

    container.settings.audit_checkpoint_every = 1
    make_client(container)
    make_draft(container)  # runs the worker until the queue is empty
    run_worker(container, once=True)
    seqs = [c.seq for c in read_checkpoints(container.settings.resolved_audit_checkpoint_file)]
    assert seqs and seqs[-1] > 0


def test_review_claim_unclaim_and_handover(cli, container) -> None:
    from tests.factories import make_user

    make_client(container)
    make_user(container, "rita", "reviewer")
    make_user(container, "rex", "reviewer")
    item = review_of(container, make_draft(container, COMPLAINT_CALL).id)
    r = cli("review", "claim", item.id, "--as", "rita")
    assert r.exit_code == 0 and "claimed" in r.output
    r = cli("review", "claim", item.id, "--as", "rex")
    assert r.exit_code == 1 and "claimed by rita" in r.output
    r = cli("review", "handover", item.id, "--as", "rita", "--to", "rex")
    assert r.exit_code == 0 and "now claimed by rex" in r.output
    assert cli("review", "unclaim", item.id, "--as", "rita").exit_code == 1
    assert cli("review", "unclaim", item.id, "--as", "rex").exit_code == 0
    assert review_of(container, item.id).assignee is None
