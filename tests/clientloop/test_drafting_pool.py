"""`clientloop serve` alone drafts uploads: drafting workers run inside the app."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from clientloop.api import create_app
from tests.factories import PLAIN_CALL, auth_headers, make_client, make_user


def test_an_upload_is_drafted_with_only_the_app_running(container) -> None:
    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    with TestClient(create_app(container, drafting_workers=1)) as api:  # the lifespan starts the pool
        assert api.app.state.drafting_pool.running == 1
        r = api.post("/v1/interactions", headers=auth_headers(key),
                     data={"client": "Daniel Okafor", "kind": "call_transcript"},
                     files={"file": ("call.txt", PLAIN_CALL.encode(), "text/plain")})
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"] if "job_id" in r.json() else r.json()["id"]
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            status = api.get(f"/v1/jobs/{job_id}", headers=auth_headers(key)).json()["status"]
            if status == "done":
                break
            time.sleep(0.2)
        assert status == "done"
    assert api.app.state.drafting_pool.running == 0  # stopped with the app


def test_the_job_page_says_why_a_job_waits_when_no_worker_runs(container) -> None:
    from tests.clientloop.test_worker import _submit

    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    job = _submit(container, requested_by="priya")
    page = TestClient(create_app(container), follow_redirects=False)
    page.get("/ui/login")
    page.post("/ui/login", data={"key": key, "csrf_token": page.cookies.get("clientloop_csrf"), "next": "/ui/"})
    text = page.get(f"/ui/jobs/{job.id}").text
    assert "This server runs none" in text and "clientloop worker" in text
