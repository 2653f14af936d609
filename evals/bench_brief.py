"""Brief latency and source-link coverage.

`run_brief_bench(n_clients, n_interactions)` builds a synthetic book in a fresh database
(bulk-inserted with SQLAlchemy core: the import path with its per-record audit events is
measured separately and would take minutes at this size), then times `generate_brief`
for a sample of clients and reports p50/p95 in milliseconds. `n_clients=0` benchmarks
the shipped demo book instead, loaded through the real importer, and also reports how
many of its brief lines carry a working source link.

    python -m evals.bench_brief 2000 100000
    python -m evals.bench_brief 0 0          # the demo book
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from clientloop.container import Container
from clientloop.settings import Settings
from clients.brief import generate_brief, resolve_link
from clients.models import ClientProfile, Holding
from evals.bench_figures import finite
from evals.measure import peak_rss_mb, percentile
from records.ids import new_id
from records.session import session_scope
from records.tables import Client, Draft, Source
from review.models import Decision, InteractionRecord, RecordAction, ReviewItem

TODAY = date(2026, 11, 23)
_NOTE = ("Review call with {name}. Discussed the mortgage fixed rate ending and the ISA allowance of "
         "£{amount}. Priya will send the rate comparison by Friday.")
_EVIDENCE = "Priya will send the rate comparison by Friday."


def _bulk_book(container: Container, n_clients: int, n_interactions: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    clients: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    holdings: list[dict[str, Any]] = []
    for i in range(n_clients):
        cid = new_id()
        clients.append({"id": cid, "name": f"Synthetic Client {i:05d}", "segment": "private",
                        "relationship_owner": f"rm{i % 40}", "created_at": now})
        profiles.append({"client_id": cid, "external_id": f"SYN-{i:05d}", "party_type": "person",
                         "contact_cadence_days": rng.choice((30, 60, 90)), "birth_year": rng.randrange(1950, 2000),
                         "updated_at": now})
        for product, field in (("mortgage", "rate_fixed_until"), ("home_insurance", "renewal_on")):
            holdings.append({"id": new_id(), "client_id": cid, "category": "product", "product_type": product,
                             "name": product.replace("_", " ").title(), "status": "active", "currency": "GBP",
                             "balance_minor": rng.randrange(10**6, 10**8), "rate_fixed_until": None,
                             "renewal_on": None, field: TODAY + timedelta(days=rng.randrange(-30, 400))})
    tables: dict[str, list[dict[str, Any]]] = {"source": [], "draft": [], "reviewitem": [], "decision": [],
                                               "interactionrecord": [], "recordaction": []}
    content = json.dumps({"summary": {"purpose": "review", "sentiment": "neutral"}, "actions": []})
    for n in range(n_interactions):
        cid = clients[n % n_clients]["id"]
        when = now - timedelta(days=rng.randrange(0, 365), minutes=rng.randrange(0, 1440))
        text = _NOTE.format(name=f"client {n % n_clients}", amount=rng.randrange(1, 20) * 1000)
        sid, did, rid, decid, recid = new_id(), new_id(), new_id(), new_id(), new_id()
        tables["source"].append({
            "id": sid, "key": f"bench:{sid}", "filename": "bench", "kind": "note", "media_type": "text/plain",
            "title": None, "client_id": cid, "content_hash": "sha256:bench", "size_bytes": len(text),
            "stored_path": "bench", "status": "ready", "error": None, "text": text, "meta_json": "{}",
            "occurred_at": when, "version": 1, "chunk_count": 0, "created_at": when, "updated_at": when})
        tables["draft"].append({"id": did, "lineage_id": did, "version": 1, "kind": "interaction_summary",
                                "source_id": sid, "client_id": cid, "author": "bench", "engine": "import",
                                "fallback": False, "content_json": content, "created_at": when})
        tables["reviewitem"].append({
            "id": rid, "lineage_id": did, "kind": "interaction_summary", "source_id": sid, "client_id": cid,
            "status": "released", "requires_checker": False, "flags_json": "[]", "current_draft_id": did,
            "version": 1, "created_at": when, "updated_at": when})
        tables["decision"].append({"id": decid, "review_id": rid, "draft_id": did, "kind": "import",
                                   "actor": "import:bench", "actor_role": "system", "seen_version": 1,
                                   "created_at": when})
        tables["interactionrecord"].append({
            "id": recid, "review_id": rid, "lineage_id": did, "draft_id": did, "decision_id": decid,
            "source_id": sid, "client_id": cid, "approved_by": "import:bench", "content_json": content,
            "created_at": when})
        if n % 2 == 0:
            start = text.index(_EVIDENCE)
            tables["recordaction"].append({
                "id": new_id(), "record_id": recid, "ordinal": 0, "client_id": cid, "source_id": sid,
                "description": "Send the rate comparison", "owner": "Priya Shah", "owner_side": "firm",
                "type": "client_response", "status": rng.choice(("open", "done", "done")), "due_kind": "date",
                "due_date": when.date() + timedelta(days=4), "due_start": None, "due_end": None,
                "due_phrase": "by Friday", "close_condition": "", "evidence_text": _EVIDENCE,
                "evidence_start": start, "evidence_end": start + len(_EVIDENCE), "created_at": when,
                "updated_at": when})
    models = {"client": Client, "clientprofile": ClientProfile, "holding": Holding, "source": Source,
              "draft": Draft, "reviewitem": ReviewItem, "decision": Decision,
              "interactionrecord": InteractionRecord, "recordaction": RecordAction}
    rows = {"client": clients, "clientprofile": profiles, "holding": holdings, **tables}
    with container.engine.begin() as conn:
        for name, model in models.items():
            table = model.__table__  # type: ignore[attr-defined]
            data = rows[name]
            for i in range(0, len(data), 5000):
                conn.execute(table.insert(), data[i:i + 5000])
    return [c["id"] for c in clients]


def _load_demo_book(container: Container) -> list[str]:
    from clients.demo_book import load_demo_book

    with session_scope(container.engine) as session:
        load_demo_book(session, today=TODAY)
    with Session(container.engine) as session:
        return list(session.exec(select(Client.id)).all())


def _time_briefs(container: Container, sample: list[str], *, check_links: bool) -> tuple[list[float], int, int]:
    """Milliseconds per brief; with `check_links`, also the lines and how many have a broken link."""
    timings, lines, broken = [], 0, 0
    for cid in sample:
        start = time.perf_counter()
        with session_scope(container.engine) as session:
            brief = generate_brief(session=session, client_ref=cid, as_of=TODAY)
        timings.append((time.perf_counter() - start) * 1000)
        if check_links:
            with Session(container.engine) as session:
                for line in brief.lines():
                    lines += 1
                    broken += resolve_link(session, line.source) is not None
    return timings, lines, broken


def _time_row_reads(container: Container, sample: list[str]) -> list[float]:
    """Milliseconds to read each client's rows a brief draws on (client, profile, holdings, records, actions,
    sources), one query per table in one session, nothing composed: the floor under a brief."""
    timings = []
    for cid in sample:
        start = time.perf_counter()
        with Session(container.engine) as session:
            session.get(Client, cid)
            session.get(ClientProfile, cid)
            for model in (Holding, InteractionRecord, RecordAction, Source):
                session.exec(select(model).where(model.client_id == cid)).all()  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def run_brief_bench(n_clients: int, n_interactions: int, *, samples: int = 200,
                    database_url: str | None = None) -> dict[str, Any]:
    """Time briefs on a synthetic book (or the demo book when `n_clients` is 0): p50/p95 in ms.

    The book lives in a temporary data directory (and `database_url`, when given), removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-") as tmp:
        container = Container(Settings(_env_file=None, data_dir=Path(tmp),  # type: ignore[call-arg]
                                       database_url=database_url))
        try:
            t0 = time.perf_counter()
            if n_clients:
                ids = _bulk_book(container, n_clients, n_interactions)
                label = f"synthetic {n_clients} clients / {n_interactions} interactions"
            else:
                ids = _load_demo_book(container)
                label = "demo book"
            load_s = time.perf_counter() - t0
            sample = ids if len(ids) <= samples else random.Random(1).sample(ids, samples)
            timings, lines, broken = _time_briefs(container, sample, check_links=not n_clients)
            rows = _time_row_reads(container, sample)
            database = container.engine.dialect.name
        finally:
            container.engine.dispose()
    result: dict[str, Any] = {
        "book": label, "database": database, "load_s": round(load_s, 1),
        "briefs": len(timings), "p50_ms": round(percentile(timings, 50), 1),
        "p95_ms": round(percentile(timings, 95), 1), "max_ms": round(max(timings), 1),
        "rows_p50_ms": round(percentile(rows, 50), 2), "rows_p95_ms": round(percentile(rows, 95), 2),
    }
    if not n_clients:
        result.update(lines=lines, working_links=lines - broken, link_coverage=round((lines - broken) / lines, 4))
    return result


def brief_section(n_clients: int, n_interactions: int, samples: int) -> dict[str, Any]:
    """The `brief` section of `clientloop bench` (runs in a child process): the figures and the sizes."""
    result = run_brief_bench(n_clients, n_interactions, samples=samples)
    out: dict[str, Any] = {k: v for k, v in result.items() if finite(v)}
    out.update(clients=n_clients, interactions=n_interactions, peak_rss_mb=peak_rss_mb())
    return out


if __name__ == "__main__":
    import sys

    args = [int(a) for a in sys.argv[1:3]] or [2000, 100_000]
    sys.stdout.write(json.dumps(run_brief_bench(args[0], args[1] if len(args) > 1 else 0)) + "\n")
