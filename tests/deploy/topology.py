"""The scale-out topology of `deploy/compose.yaml`, started on loopback from this machine's parts.

One throwaway database on the running PostgreSQL, `chroma run` on a free port, two
`clientloop serve --no-workers` processes and two `clientloop worker` processes, all
sharing the database, the Chroma server and one data directory (the uploads and the
audit key, which compose shares as volumes). A plain helper, not a fixture, so the test
module decides the scope.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LEASE_SECONDS = 10
"""The workers' lease: short, so a killed worker's job is taken over within seconds."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_base_url() -> str:
    """The PostgreSQL server the suite uses; skips (fails under CLIENTLOOP_REQUIRE_POSTGRES=1) if none answers."""
    url = os.environ.get("CLIENTLOOP_TEST_DATABASE_URL") or os.environ.get("CLIENTLOOP_TEST_POSTGRES_URL") or DEFAULT_PG
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means no server here
        why = f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {type(exc).__name__}"
        if os.environ.get("CLIENTLOOP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"CLIENTLOOP_REQUIRE_POSTGRES=1 but {why}", pytrace=False)
        pytest.skip(why)
    return url


@contextmanager
def throwaway_database(base_url: str) -> Iterator[str]:
    """A fresh database on the server of `base_url`, dropped afterwards (with its connections)."""
    name = f"clientloop_topology_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Topology:
    """The running processes and how to reach them."""

    root: Path
    env: dict[str, str]
    database_url: str
    api_urls: list[str] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    engine: Engine | None = None

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        proc = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        log.close()
        self.procs.append(proc)
        return proc

    def clientloop(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return self.start(name, [sys.executable, "-m", "clientloop.cli", *args])

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        proc = self.clientloop(name, "worker", "--lease-seconds", str(LEASE_SECONDS))
        self.workers.append(proc)
        return proc

    def cli(self, *commands: list[str]) -> list[str]:
        """Run `clientloop` commands side by side to completion; their standard outputs, in order."""
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "clientloop.cli", *args],
                env=self.env,
                cwd=self.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in commands
        ]
        outputs = []
        for args, proc in zip(commands, running, strict=True):
            out, errors = proc.communicate(timeout=120)
            assert proc.returncode == 0, f"clientloop {' '.join(args)}: {out}{errors}"
            outputs.append(out)
        return outputs

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.root.glob("*.log"))

    def wait_http(self, url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"{proc.args} exited with {proc.returncode}\n{self.logs()}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail(f"{url} did not answer within {timeout:.0f} s\n{self.logs()}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.engine is not None:
            self.engine.dispose()


@contextmanager
def running_topology(root: Path, database_url: str) -> Iterator[Topology]:
    """Chroma server, two API processes without workers and two workers on one database, all on loopback."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip(f"no chroma console script next to {sys.executable}")
    chroma_port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CLIENTLOOP_ENV": "test",
        "CLIENTLOOP_DATA_DIR": str(root / "data"),
        "CLIENTLOOP_DATABASE_URL": database_url,
        "CLIENTLOOP_DATABASE_APP_ROLE": "clientloop_app",  # as compose runs them
        "CLIENTLOOP_CHROMA_MODE": "server",
        "CLIENTLOOP_CHROMA_HOST": "127.0.0.1",
        "CLIENTLOOP_CHROMA_PORT": str(chroma_port),
        "CLIENTLOOP_ENGINE": "rules",
    }
    top = Topology(root=root, env=env, database_url=database_url)
    try:
        chroma_proc = top.start(
            "chroma",
            [str(chroma), "run", "--host", "127.0.0.1", "--port", str(chroma_port), "--path", str(root / "chroma")],
        )
        # Every clientloop process starts at once on the fresh database, as compose starts them:
        # the migrations must run once, under their lock, not four times side by side.
        servers = []
        for i in range(2):
            port = free_port()
            servers.append(
                (
                    f"http://127.0.0.1:{port}",
                    top.clientloop(f"api{i}", "serve", "--no-workers", "--host", "127.0.0.1", "--port", str(port)),
                )
            )
        for i in range(2):
            top.start_worker(f"worker{i}")
        top.wait_http(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", chroma_proc)
        for url, proc in servers:
            top.wait_http(f"{url}/healthz", proc)
            top.api_urls.append(url)
        top.engine = create_engine(database_url)
        yield top
    finally:
        top.stop()
