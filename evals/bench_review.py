"""Review API throughput and latency under concurrent clients on loopback.

`run_review_bench(n_requests, concurrency=32)`:

1. makes a temporary data directory with a SQLite database, a client, one RM and four
   reviewers (API keys);
2. seeds `ceil(n_requests / 4)` drafts through the real path (submit the interaction,
   run the worker: rules engine, gate, audit), half of them flagged;
3. starts `uvicorn` in a subprocess on a free loopback port (so the server does not
   share a GIL with the load generator);
4. runs one task per draft, at most `concurrency` at a time, with an `httpx.AsyncClient`:
   list the queue, show the item, claim it, approve it with its ETag (approval also
   releases: record, actions, recap draft, audit events);
5. reports requests per second and p50/p95/p99 latency, overall and per operation, and
   verifies the audit chain afterwards;
6. as the baseline, first sends the same number of requests to `/healthz` (no auth, no
   database) from the same `concurrency` clients: the framework and loopback floor.

Run it: `python -m evals.bench_review 2000`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _seed(data_dir: Path, n_drafts: int) -> dict[str, str]:
    from clientloop.container import Container
    from clientloop.interactions import submit_interaction
    from clientloop.settings import Settings
    from clientloop.worker import run_worker
    from records.session import session_scope
    from records.tables import Client
    from review.users import create_user

    container = Container(Settings(_env_file=None, env="test", data_dir=data_dir, engine="rules"))  # type: ignore[call-arg]
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


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(data_dir), "CLIENTLOOP_ENV": "test"}
    env.pop("CLIENTLOOP_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "clientloop.api.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


async def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("the review API did not start")


async def _load_healthz(base: str, n_requests: int, concurrency: int) -> dict[str, Any]:
    """The baseline: `n_requests` GETs of `/healthz` from `concurrency` concurrent clients."""
    import httpx

    timings: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        per_client = [n_requests // concurrency + (i < n_requests % concurrency) for i in range(concurrency)]

        async def one(n: int) -> None:
            nonlocal errors
            for _ in range(n):
                t0 = time.perf_counter()
                r = await client.get("/healthz")
                timings.append(time.perf_counter() - t0)
                errors += r.status_code >= 400

        t0 = time.perf_counter()
        await asyncio.gather(*(one(n) for n in per_client))
        elapsed = time.perf_counter() - t0
    return {"timings": timings, "errors": errors, "elapsed": elapsed}


async def _load(base: str, keys: dict[str, str], n_requests: int, concurrency: int) -> dict[str, Any]:
    import httpx

    timings: dict[str, list[float]] = {"list": [], "show": [], "claim": [], "approve": []}
    errors: dict[str, int] = {}
    sent = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        rm_headers = {"Authorization": f"Bearer {keys['bench-rm']}"}
        first = (await client.get("/v1/reviews", params={"page_size": 200}, headers=rm_headers)).json()
        ids = [i["id"] for i in first["items"]]
        page = 2
        while len(ids) < first["total"]:
            more = (await client.get("/v1/reviews", params={"page_size": 200, "page": page},
                                     headers=rm_headers)).json()
            ids += [i["id"] for i in more["items"]]
            page += 1
        sem = asyncio.Semaphore(concurrency)

        async def timed(op: str, coro: Any) -> Any:
            nonlocal sent
            if sent >= n_requests:
                return None
            sent += 1
            t0 = time.perf_counter()
            r = await coro
            timings[op].append(time.perf_counter() - t0)
            if r.status_code >= 400:
                errors[f"{op}:{r.status_code}"] = errors.get(f"{op}:{r.status_code}", 0) + 1
            return r

        async def one(i: int, review_id: str) -> None:
            headers = {"Authorization": f"Bearer {keys[f'rev{i % 4}']}"}
            async with sem:
                await timed("list", client.get("/v1/reviews", params={"page_size": 20, "page": 1 + i % 5},
                                               headers=headers))
                shown = await timed("show", client.get(f"/v1/reviews/{review_id}", headers=headers))
                claimed = await timed("claim", client.post(f"/v1/reviews/{review_id}/claim", headers=headers))
                etag = (claimed or shown).headers.get("etag") if (claimed or shown) is not None else None
                if etag:
                    await timed("approve", client.post(f"/v1/reviews/{review_id}/decisions", json={"kind": "approve"},
                                                       headers={**headers, "If-Match": etag}))

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i, rid) for i, rid in enumerate(ids)))
        elapsed = time.perf_counter() - t0
    return {"timings": timings, "errors": errors, "elapsed": elapsed}


def run_review_bench(n_requests: int, concurrency: int = 32) -> dict[str, float]:
    """Measure the review API under `concurrency` concurrent clients on loopback.

    Args:
        n_requests: Requests to send in total (list, show, claim and approve in equal parts).
        concurrency: Concurrent clients.

    Returns:
        Figures: requests, seconds, req_per_s, p50/p95/p99 (ms) overall and p99 per operation,
        error count, drafts seeded and released, whether the audit chain verified (1/0), and the
        `/healthz` baseline (``healthz_req_per_s``, ``healthz_p50_ms``, ``healthz_p99_ms``).
    """
    n_drafts = max(1, math.ceil(n_requests / 4))
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-review-") as tmp:
        data_dir = Path(tmp) / "data"
        t_seed = time.perf_counter()
        keys = _seed(data_dir, n_drafts)
        seed_s = time.perf_counter() - t_seed
        port = _free_port()
        proc = _start_server(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(_wait_ready(base, proc))
            healthz = asyncio.run(_load_healthz(base, n_requests, concurrency))
            result = asyncio.run(_load(base, keys, n_requests, concurrency))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        released, chain_ok = _check(data_dir)
    all_t = [t for ts in result["timings"].values() for t in ts]
    figures: dict[str, float] = {
        "requests": float(len(all_t)), "concurrency": float(concurrency), "seconds": result["elapsed"],
        "req_per_s": len(all_t) / result["elapsed"] if result["elapsed"] else 0.0,
        "p50_ms": percentile(all_t, 50) * 1000, "p95_ms": percentile(all_t, 95) * 1000,
        "p99_ms": percentile(all_t, 99) * 1000, "errors": float(sum(result["errors"].values())),
        "drafts_seeded": float(n_drafts), "seed_s": seed_s, "released": float(released),
        "audit_chain_ok": 1.0 if chain_ok else 0.0,
        "healthz_requests": float(len(healthz["timings"])),
        "healthz_req_per_s": len(healthz["timings"]) / healthz["elapsed"] if healthz["elapsed"] else 0.0,
        "healthz_p50_ms": percentile(healthz["timings"], 50) * 1000,
        "healthz_p99_ms": percentile(healthz["timings"], 99) * 1000,
        "healthz_errors": float(healthz["errors"]),
    }
    for op, ts in result["timings"].items():
        figures[f"{op}_p50_ms"] = percentile(ts, 50) * 1000
        figures[f"{op}_p99_ms"] = percentile(ts, 99) * 1000
    return figures


def _check(data_dir: Path) -> tuple[int, bool]:
    from sqlmodel import Session, select

    from clientloop.container import Container
    from clientloop.settings import Settings
    from review.audit import verify_chain
    from review.models import InteractionRecord

    container = Container(Settings(_env_file=None, env="test", data_dir=data_dir))  # type: ignore[call-arg]
    with Session(container.engine) as session:
        released = len(session.exec(select(InteractionRecord)).all())
        ok = verify_chain(session).ok
    container.engine.dispose()
    return released, ok


def review_section(n_requests: int, concurrency: int) -> dict[str, float]:
    """The `review_api` section of `clientloop bench` (runs in a child process)."""
    return dict(run_review_bench(n_requests, concurrency=concurrency))


def main() -> None:
    """Print the figures for `python -m evals.bench_review [N] [CONCURRENCY]`."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    f = run_review_bench(n, concurrency)
    lines = [
        f"review API, {int(f['requests'])} requests, {concurrency} concurrent clients, SQLite, loopback",
        f"  {f['req_per_s']:.1f} req/s over {f['seconds']:.2f} s; errors {int(f['errors'])}",
        f"  baseline /healthz: {f['healthz_req_per_s']:.1f} req/s, p99 {f['healthz_p99_ms']:.1f} ms",
        f"  latency p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms",
        *(f"  {op:8s} p50 {f[f'{op}_p50_ms']:.1f} ms  p99 {f[f'{op}_p99_ms']:.1f} ms"
          for op in ("list", "show", "claim", "approve")),
        f"  released {int(f['released'])} of {int(f['drafts_seeded'])} drafts; "
        f"audit chain {'ok' if f['audit_chain_ok'] else 'BROKEN'}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
