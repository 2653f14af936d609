"""`clientloop serve` as an operator runs it: a real uvicorn process that drafts uploads by itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.factories import PLAIN_CALL, auth_headers, make_client, make_user

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_alone_drafts_a_web_upload(container, settings) -> None:
    make_client(container)
    _user, key = make_user(container, "priya", "rm")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLIENTLOOP_DATA_DIR": str(settings.data_dir),
           "CLIENTLOOP_ENV": "test"}
    if settings.database_url:
        env["CLIENTLOOP_DATABASE_URL"] = settings.database_url
    proc = subprocess.Popen([sys.executable, "-m", "clientloop.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        r = httpx.post(f"{base}/v1/interactions", headers=auth_headers(key),
                       data={"client": "Daniel Okafor", "kind": "call_transcript"},
                       files={"file": ("call.txt", PLAIN_CALL.encode(), "text/plain")}, timeout=30)
        assert r.status_code == 202, r.text
        job_id = r.json()["job_id"] if "job_id" in r.json() else r.json()["id"]
        status = None
        while time.monotonic() < deadline + 30:
            status = httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth_headers(key), timeout=10).json()["status"]
            if status == "done":
                break
            time.sleep(0.3)
        assert status == "done"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
