"""Review API throughput and latency under concurrent clients on loopback.

`run_review_bench(n_requests, concurrency=32, postgres_url=None, processes=1)`:

1. makes a temporary data directory and a database: a SQLite file in it, or, with
   `postgres_url`, a fresh database on that PostgreSQL server (created for the run and
   dropped after it); then a client, one RM and four reviewers (API keys);
2. seeds `ceil(n_requests / 4)` drafts through the real path (submit the interaction,
   run the worker: rules engine, gate, audit), half of them flagged;
3. starts `uvicorn` with `processes` worker processes in a subprocess on a free loopback
   port (so the server does not share a GIL with the load generator);
4. warms every process up, then sends `n_requests` to `/healthz` (no auth, no database:
   the framework and loopback floor), `n_requests` list requests (`GET /v1/reviews`, a
   page of 20) and `n_requests` reads (`GET /v1/reviews/{id}`: the draft beside its
   source, flags, decisions, client facts), each from `concurrency` concurrent clients;
   Where `wrk` is installed (Debian's `wrk`), the same three phases are also sent by wrk
   for `WRK_SECONDS` each: the Python load generator shares the cores with the server and
   caps `/healthz` near 350 req/s, so only wrk's figures show the server's own rates;
5. then runs one task per draft, at most `concurrency` at a time: list the queue, show
   the item, claim it, approve it with its ETag (approval also releases: record,
   actions, recap draft, audit events);
6. reports requests per second and p50/p95/p99 latency of every phase, so list and read
   stand beside `/healthz` of the same run, and (on Linux) the server's CPU time per
   request of the read phases, which a busy machine disturbs far less than req/s; records
   the load average before and after, and verifies the audit chain afterwards.

A request the server never answers (its connection reset or closed under it) is an error of
its phase, counted by kind beside the HTTP errors (`*_unanswered`); it neither ends the run
nor drops out of the figures. The server's log is kept in a file and its tail reported when
it said anything.

Run it: `python -m evals.bench_review 2000 32 [POSTGRES_URL] [PROCESSES]`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evals.bench_load import SERVER_KEEPALIVE_S, load_gets, reviewer, workflow, wrk_gets
from evals.measure import percentile

PLAIN = (
    "Priya Shah: Morning Daniel, thanks for making time.\n"
    "Daniel Okafor: Could you send me the remortgage illustration?\n"
    "Priya Shah: Yes, I'll send you the remortgage illustration by Friday.\n"
    "Daniel Okafor: Great, and I'll email the latest payslips tomorrow. Ref {n}.\n"
)
FLAGGED = (
    "Priya Shah: Morning Daniel, thanks for making time.\n"
    "Daniel Okafor: I want to make a formal complaint about how my transfer was handled.\n"
    "Priya Shah: I'll log the complaint today and send you the acknowledgement by Friday.\n"
    "Daniel Okafor: Thanks, I'll email the confirmation tomorrow. Ref {n}.\n"
)
PEOPLE = [
    {"name": "Priya Shah", "role": "relationship_manager", "side": "firm"},
    {"name": "Daniel Okafor", "role": "client", "side": "client"},
]
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _database(postgres_url: str | None) -> Iterator[str | None]:
    """None (SQLite in the data directory), or the URL of a PostgreSQL database made for this run and dropped after."""
    if postgres_url is None:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"clientloop_bench_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _settings(data_dir: Path, database_url: str | None) -> Any:
    from clientloop.settings import Settings

    return Settings(_env_file=None, env="test", data_dir=data_dir, engine="rules",  # type: ignore[call-arg]
                    database_url=database_url)


def _seed(data_dir: Path, database_url: str | None, n_drafts: int) -> dict[str, str]:
    from clientloop.container import Container
    from clientloop.interactions import submit_interaction
    from clientloop.worker import run_worker
    from records.session import session_scope
    from records.tables import Client
    from review.users import create_user

    container = Container(_settings(data_dir, database_url))
    keys: dict[str, str] = {}
    with session_scope(container.engine) as session:
        session.add(Client(name="Daniel Okafor", relationship_owner="bench-rm"))
        for name, role in [("bench-rm", "rm"), ("rev0", "reviewer"), ("rev1", "reviewer"), ("rev2", "reviewer"),
                           ("rev3", "reviewer")]:
            keys[name] = create_user(session=session, name=name, role=role)[1]
    people = json.dumps(PEOPLE)
    for n in range(n_drafts):
        text = (FLAGGED if n % 2 else PLAIN).format(n=n)
        submit_interaction(container, data=text.encode(), filename=f"call{n}.txt", client="Daniel Okafor",
                           kind="call_transcript", occurred_at=f"2026-11-16T10:00:{n % 60:02d}+00:00",
                           participants=people, requested_by="bench-rm")
    run_worker(container, once=True)
    container.engine.dispose()
    return keys


def _start_server(data_dir: Path, database_url: str | None, port: int, processes: int,
                  log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(data_dir), "CLIENTLOOP_ENV": "test"}
    env.pop("CLIENTLOOP_DATABASE_URL", None)
    if database_url is not None:
        env["CLIENTLOOP_DATABASE_URL"] = database_url
    # The server's log goes to a file: a pipe nobody reads fills after 64 KB of tracebacks and
    # then stops the server mid-run.
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "clientloop.api.app:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(processes), "--log-level", "warning", "--no-access-log",
             "--timeout-keep-alive", str(SERVER_KEEPALIVE_S)],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )


def _tail(log: Path, chars: int = 2000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


async def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {_tail(log)}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("the review API did not start")


async def _review_ids(base: str, keys: dict[str, str]) -> list[str]:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        rm_headers = {"Authorization": f"Bearer {keys['bench-rm']}"}
        first = (await client.get("/v1/reviews", params={"page_size": 200}, headers=rm_headers)).json()
        ids = [i["id"] for i in first["items"]]
        page = 2
        while len(ids) < first["total"]:
            more = (await client.get("/v1/reviews", params={"page_size": 200, "page": page},
                                     headers=rm_headers)).json()
            ids += [i["id"] for i in more["items"]]
            page += 1
    return ids


def _server_cpu_s(pid: int) -> float | None:
    """CPU seconds the server process and its live children (uvicorn's workers) have used (Linux; None elsewhere).

    Beside req/s: on a machine other work shares, throughput swings with the neighbours, while
    the CPU the server spends per request barely moves, so its ratio to `/healthz`'s is the
    steadier measure of the request path.
    """
    proc = Path("/proc")
    if not (proc / str(pid) / "stat").exists():
        return None
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command: state, ppid, ...
        except OSError:
            continue  # a process that ended while we looked
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


async def _read_phases(base: str, keys: dict[str, str], ids: list[str], n_requests: int,
                       concurrency: int, server_pid: int | None = None) -> dict[str, dict[str, Any]]:
    """Warm up, then `/healthz`, the list and the read, one after another from the same clients.

    With `server_pid`, each phase also carries the server's CPU seconds over it (`cpu_s`).
    """
    def healthz(_i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        return "/healthz", {}, {}

    def listing(i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        return "/v1/reviews", {"page_size": 20, "page": 1 + i % 5}, reviewer(keys, i)

    def read(i: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        return f"/v1/reviews/{ids[i % len(ids)]}", {}, reviewer(keys, i)

    # Every server process answers a few of each first: imports and caches are not what is timed.
    for warm in (healthz, listing, read):
        await load_gets(base, 8 * concurrency, concurrency, warm)
    phases = {}
    for name, request in (("healthz", healthz), ("list", listing), ("read", read)):
        before = _server_cpu_s(server_pid) if server_pid else None
        phases[name] = await load_gets(base, n_requests, concurrency, request)
        after = _server_cpu_s(server_pid) if server_pid else None
        phases[name]["cpu_s"] = after - before if before is not None and after is not None else None
    return phases


WRK_SECONDS = 8.0
"""How long wrk sends each read phase (after a 1 s warm-up of its own)."""


def _wrk_phases(base: str, keys: dict[str, str], ids: list[str], concurrency: int) -> dict[str, dict[str, Any]]:
    """`/healthz`, the list and the read sent by wrk (empty when wrk is not installed)."""
    phases: dict[str, list[tuple[str, str | None]]] = {
        "healthz": [("/healthz", None)],
        "list": [(f"/v1/reviews?page_size=20&page={1 + i % 5}", keys[f"rev{i % 4}"]) for i in range(20)],
        "read": [(f"/v1/reviews/{review_id}", keys[f"rev{i % 4}"]) for i, review_id in enumerate(ids)],
    }
    out: dict[str, dict[str, Any]] = {}
    for name, requests in phases.items():
        if wrk_gets(base, requests, concurrency, 1) is None:
            return {}
        got = wrk_gets(base, requests, concurrency, WRK_SECONDS)
        if got is not None:
            out[name] = got
    return out


def _rate(phase: dict[str, Any]) -> float:
    return len(phase["timings"]) / phase["elapsed"] if phase["elapsed"] else 0.0


def run_review_bench(n_requests: int, concurrency: int = 32, postgres_url: str | None = None,
                     processes: int = 1) -> dict[str, Any]:
    """Measure the review API under `concurrency` concurrent clients on loopback.

    Args:
        n_requests: Requests in each phase: `/healthz`, list, read, and the workflow (list, show,
            claim and approve in equal parts).
        concurrency: Concurrent clients.
        postgres_url: A PostgreSQL server URL (any database on it); the bench makes its own
            database there and drops it after. None: SQLite.
        processes: uvicorn worker processes serving the API.

    Returns:
        Figures: for the workflow, requests, seconds, req_per_s, p50/p95/p99 (ms) overall and
        p50/p99 per operation, error count, drafts seeded and released, whether the audit chain
        verified (1/0); `healthz_*`, `list_only_*` and `read_only_*` (req_per_s, p50_ms, p99_ms,
        errors; on Linux also cpu_ms, the server's CPU per request) of the read phases; the
        database and processes; the load average at start and end.
    """
    n_drafts = max(1, math.ceil(n_requests / 4))
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-review-") as tmp, _database(postgres_url) as url:
        data_dir = Path(tmp) / "data"
        t_seed = time.perf_counter()
        keys = _seed(data_dir, url, n_drafts)
        seed_s = time.perf_counter() - t_seed
        port = _free_port()
        log = Path(tmp) / "server.log"
        proc = _start_server(data_dir, url, port, processes, log)
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(_wait_ready(base, proc, log))
            ids = asyncio.run(_review_ids(base, keys))
            reads = asyncio.run(_read_phases(base, keys, ids, n_requests, concurrency, proc.pid))
            by_wrk = _wrk_phases(base, keys, ids, concurrency)
            result = asyncio.run(workflow(base, keys, ids, n_requests, concurrency))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        server_log = _tail(log)
        released, chain_ok = _check(data_dir, url)
    all_t = [t for ts in result["timings"].values() for t in ts]
    figures: dict[str, Any] = {
        "database": "postgresql" if postgres_url else "sqlite", "processes": float(processes),
        "requests": float(len(all_t)), "concurrency": float(concurrency), "seconds": result["elapsed"],
        "req_per_s": len(all_t) / result["elapsed"] if result["elapsed"] else 0.0,
        "p50_ms": percentile(all_t, 50) * 1000, "p95_ms": percentile(all_t, 95) * 1000,
        "p99_ms": percentile(all_t, 99) * 1000, "errors": float(sum(result["errors"].values())),
        "drafts_seeded": float(n_drafts), "seed_s": seed_s, "released": float(released),
        "audit_chain_ok": 1.0 if chain_ok else 0.0,
        "load_avg_start": round(load_start, 2), "load_avg_end": round(os.getloadavg()[0], 2),
        "unanswered": float(sum(n for key, n in result["errors"].items() if not key.split(":")[1].isdigit())),
        "error_kinds": dict(result["errors"]),
    }
    if server_log.strip():
        figures["server_log_tail"] = server_log  # what the server said went wrong, beside the error counts
    for name, prefix in (("healthz", "healthz"), ("list", "list_only"), ("read", "read_only")):
        phase = reads[name]
        figures[f"{prefix}_requests"] = float(len(phase["timings"]))
        figures[f"{prefix}_req_per_s"] = _rate(phase)
        figures[f"{prefix}_p50_ms"] = percentile(phase["timings"], 50) * 1000
        figures[f"{prefix}_p99_ms"] = percentile(phase["timings"], 99) * 1000
        figures[f"{prefix}_errors"] = float(phase["errors"])
        figures[f"{prefix}_unanswered"] = float(sum(phase["unanswered"].values()))
        if phase["unanswered"]:
            figures[f"{prefix}_unanswered_kinds"] = dict(phase["unanswered"])
        if phase["cpu_s"] is not None and phase["timings"]:
            figures[f"{prefix}_cpu_ms"] = phase["cpu_s"] / len(phase["timings"]) * 1000
    for name, prefix in (("healthz", "healthz"), ("list", "list_only"), ("read", "read_only")):
        for key, value in by_wrk.get(name, {}).items():
            figures[f"wrk_{prefix}_{key}"] = value
    for op, ts in result["timings"].items():
        figures[f"{op}_p50_ms"] = percentile(ts, 50) * 1000
        figures[f"{op}_p99_ms"] = percentile(ts, 99) * 1000
    return figures


def _check(data_dir: Path, database_url: str | None) -> tuple[int, bool]:
    from sqlmodel import Session, select

    from clientloop.container import Container
    from review.audit import verify_chain
    from review.models import InteractionRecord

    container = Container(_settings(data_dir, database_url))
    with Session(container.engine) as session:
        released = len(session.exec(select(InteractionRecord)).all())
        ok = verify_chain(session).ok
    container.engine.dispose()
    return released, ok


def review_section(n_requests: int, concurrency: int, postgres_url: str | None = None,
                   processes: int = 1) -> dict[str, Any]:
    """The `review_api` section of `clientloop bench` (runs in a child process)."""
    return dict(run_review_bench(n_requests, concurrency=concurrency, postgres_url=postgres_url,
                                 processes=processes))


def main() -> None:
    """Print the figures for `python -m evals.bench_review [N] [CONCURRENCY] [POSTGRES_URL] [PROCESSES]`."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    postgres_url = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    processes = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    f = run_review_bench(n, concurrency, postgres_url, processes)
    h = f["healthz_req_per_s"] or float("nan")
    lines = [
        f"review API, {concurrency} concurrent clients, {f['database']}, {processes} process(es), loopback; "
        f"load average {f['load_avg_start']} at start, {f['load_avg_end']} at end",
        f"  /healthz  {f['healthz_req_per_s']:7.1f} req/s  p50 {f['healthz_p50_ms']:6.1f} ms  "
        f"p99 {f['healthz_p99_ms']:6.1f} ms",
        *(f"  {label:8s}  {f[f'{key}_req_per_s']:7.1f} req/s  p50 {f[f'{key}_p50_ms']:6.1f} ms  "
          f"p99 {f[f'{key}_p99_ms']:6.1f} ms  {f[f'{key}_req_per_s'] / h:.0%} of /healthz; "
          f"errors {int(f[f'{key}_errors'])} ({int(f[f'{key}_unanswered'])} unanswered)"
          for label, key in (("list", "list_only"), ("read", "read_only"))),
        *([f"  server CPU per request: /healthz {f['healthz_cpu_ms']:.2f} ms, "
           + ", ".join(f"{label} {f[f'{key}_cpu_ms']:.2f} ms ({f['healthz_cpu_ms'] / f[f'{key}_cpu_ms']:.0%} "
                       "of /healthz's rate on the same CPU)"
                       for label, key in (("list", "list_only"), ("read", "read_only")))]
          if "healthz_cpu_ms" in f else []),
        *(f"  wrk {label:8s} {f[f'wrk_{key}_req_per_s']:7.1f} req/s  p50 {f[f'wrk_{key}_p50_ms']:6.1f} ms  "
          f"p99 {f[f'wrk_{key}_p99_ms']:6.1f} ms  {f[f'wrk_{key}_req_per_s'] / f['wrk_healthz_req_per_s']:.0%} "
          f"of /healthz; errors {int(f[f'wrk_{key}_errors'])}"
          for label, key in (("/healthz", "healthz"), ("list", "list_only"), ("read", "read_only"))
          if f"wrk_{key}_req_per_s" in f),
        f"  workflow  {f['req_per_s']:7.1f} req/s over {f['seconds']:.2f} s ({int(f['requests'])} requests); "
        f"errors {int(f['errors'])} {f['error_kinds'] or ''}; "
        f"p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms",
        *(f"    {op:8s} p50 {f[f'{op}_p50_ms']:.1f} ms  p99 {f[f'{op}_p99_ms']:.1f} ms"
          for op in ("list", "show", "claim", "approve")),
        f"  released {int(f['released'])} of {int(f['drafts_seeded'])} drafts; "
        f"audit chain {'ok' if f['audit_chain_ok'] else 'BROKEN'}",
        *([f"  server log (tail):\n{f['server_log_tail']}"] if f.get("server_log_tail") else []),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
