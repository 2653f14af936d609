from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from clientloop.api import create_app
from tests.factories import auth_headers, make_user

GUIDE = b"# Payments\n\n## CHAPS\n\nA CHAPS payment costs \xc2\xa325 and arrives the same business day.\n"


@pytest.fixture
def client(container) -> TestClient:
    """A knowledge-team member on a team that publishes without a second approval."""
    container.settings.kb_requires_approval = False
    _, key = make_user(container, "kate", "knowledge")
    return TestClient(create_app(container), headers=auth_headers(key))


def test_upload_then_get_document(client: TestClient) -> None:
    r = client.post("/v1/documents", files={"file": ("payments.md", GUIDE, "text/markdown")}, data={"kind": "kb"})
    assert r.status_code == 201, r.text
    doc_id = r.json()["source_id"]
    got = client.get(f"/v1/documents/{doc_id}")
    assert got.status_code == 200 and got.json()["status"] == "ready" and got.json()["chunk_count"] >= 1


def test_ask_returns_cited_answer(client: TestClient) -> None:
    client.post("/v1/documents", files={"file": ("payments.md", GUIDE, "text/markdown")})
    r = client.post("/v1/ask", json={"question": "How much does a CHAPS payment cost?"})
    body = r.json()
    assert r.status_code == 200 and not body["abstained"]
    assert body["citations"] and "£25" in body["citations"][0]["quote"]


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.md", b"", 422, "empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 422, "undecodable"),
        ("latin.txt", b"caf\xe9 cr\xe8me " * 10 + b"\x81\x8d\x8f\x90\x9d" * 20, 422, "undecodable"),
        ("virus.exe", b"MZ\x90\x00\x03", 415, "unsupported_type"),
        ("broken.vtt", b"not a vtt file at all\n00:01 --> nope", 422, "malformed"),
    ],
)
def test_bad_upload_gets_clear_error_without_echo(client: TestClient, name, data, status, code) -> None:
    r = client.post("/v1/documents", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and name in err["message"]
    assert "nope" not in err["message"] and "PNG" not in err["message"]


def test_upload_over_limit_gets_413(container) -> None:
    container.settings.max_upload_bytes = 64
    _, key = make_user(container, "kate", "knowledge")
    client = TestClient(create_app(container), headers=auth_headers(key))
    r = client.post("/v1/documents", files={"file": ("big.md", b"# a\n\n" + b"x" * 100, "text/markdown")})
    assert r.status_code == 413 and "limit" in r.json()["error"]["message"]


def test_unknown_document_is_404(client: TestClient) -> None:
    assert client.get("/v1/documents/nope").status_code == 404


def test_openapi_documents_error_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/documents"]["post"]["responses"]
    assert {"413", "415", "422"} <= set(post)
