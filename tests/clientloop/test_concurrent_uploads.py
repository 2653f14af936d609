"""The same bytes uploaded eight times at once: one source, one job, no 500."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from clientloop.api import create_app
from records.tables import Job, Source
from tests.factories import PLAIN_CALL, auth_headers, make_client, make_user


def _at_once(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        out[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_eight_identical_interaction_uploads_give_one_source_and_one_job(container) -> None:
    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    api = TestClient(create_app(container))

    def upload():
        return api.post("/v1/interactions", headers=auth_headers(key),
                        data={"client": "Daniel Okafor", "kind": "call_transcript",
                              "occurred_at": "2026-11-16T10:00:00+00:00"},
                        files={"file": ("call.txt", PLAIN_CALL.encode(), "text/plain")})

    responses = _at_once(8, upload)
    assert [r.status_code for r in responses] == [202] * 8, [r.text for r in responses if r.status_code != 202]
    assert len({r.json()["job_id"] if "job_id" in r.json() else r.json()["id"] for r in responses}) == 1
    with Session(container.engine) as s:
        assert len(s.exec(select(Source)).all()) == 1 and len(s.exec(select(Job)).all()) == 1


def test_eight_identical_document_uploads_give_one_source(container) -> None:
    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    api = TestClient(create_app(container))
    body = b"# Letter of authority\n\nSigned by Daniel Okafor on 12 November.\n"

    def upload():
        return api.post("/v1/documents", headers=auth_headers(key), data={"client": "Daniel Okafor"},
                        files={"file": ("authority.md", body, "text/markdown")})

    responses = _at_once(8, upload)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert len({r.json()["source_id"] for r in responses}) == 1
    with Session(container.engine) as s:
        assert len(s.exec(select(Source)).all()) == 1
