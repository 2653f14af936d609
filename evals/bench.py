"""`clientloop bench`: throughput, latency and memory, each beside a baseline from the same run.

Every figure is measured on this machine in this run; nothing is compared with numbers
from elsewhere. Each ingestion runs in a fresh child process so its peak memory
(`ru_maxrss`) is its own. Sizes are parameters, so a quick run and a full run use the
same code.

Baselines:
- ingestion chunks/s vs the raw embedding model on the same chunk texts (the ceiling:
  ingestion can never beat the model it waits on);
- ask latency vs the retrieval step alone;
- drafting latency vs a plain regex pass over the same text (the floor for reading it).
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO_KB = REPO / "clientloop" / "demo_data" / "kb"

_WORDS = (
    "account payment transfer savings mortgage rate fee charge customer client adviser review complaint "
    "deadline verification payee bank details address statement interest card limit credit overdraft "
    "pension isa allowance tax identity document proof signature branch online app business lending "
    "security fraud scam refund goodwill notice period maturity renewal product switch valuation"
).split()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest-rank on sorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def synthetic_docs(n: int, *, seed: int = 7) -> list[tuple[str, bytes]]:
    """`n` Markdown documents of a few headed sections each (deterministic)."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        parts = [f"# Procedure {i}: {' '.join(rng.sample(_WORDS, 3)).title()}\n"]
        for s in range(rng.randint(2, 4)):
            parts.append(f"\n## Step {s + 1} {rng.choice(_WORDS).title()}\n")
            for _ in range(rng.randint(1, 3)):
                sentence = " ".join(rng.choices(_WORDS, k=rng.randint(12, 24))).capitalize()
                days, fee = rng.randint(1, 30), rng.randint(1, 90)
                parts.append(f"\n{sentence}. Call within {days} business days; fee £{fee}.\n")
        docs.append((f"synthetic-{i:05d}.md", "".join(parts).encode()))
    return docs


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_ingest(kind: str, n_docs: int) -> dict[str, float]:
    """Runs in a fresh process: ingest a corpus, time it, and time the raw model on the same chunks."""
    from clientloop.container import Container
    from clientloop.ingest import ingest_bytes
    from clientloop.settings import Settings
    from pipeline.chunking import chunk_document
    from pipeline.loaders import load_document

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=None)  # type: ignore[call-arg]
        container = Container(settings)
        if kind == "demo":
            files = [(p.name, p.read_bytes()) for p in sorted(DEMO_KB.iterdir()) if p.is_file()]
        else:
            files = synthetic_docs(n_docs)
        container.embeddings.embed_query("warm up")
        _ = container.store.count()
        rss_before = _peak_rss_mb()
        started = time.perf_counter()
        chunks = 0
        for name, data in files:
            chunks += ingest_bytes(container, data, name, kind="kb").chunks
        elapsed = time.perf_counter() - started
        texts = [c.text for name, data in files
                 for c in chunk_document(load_document(data, name, kind="kb"),
                                         max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)]
        started = time.perf_counter()
        batch = settings.embedding_batch_size
        for lo in range(0, len(texts), batch):
            container.embeddings.embed_documents(texts[lo : lo + batch])
        raw = time.perf_counter() - started
        container.engine.dispose()
    return {
        "documents": float(len(files)), "chunks": float(chunks), "seconds": elapsed,
        "chunks_per_s": chunks / elapsed, "docs_per_s": len(files) / elapsed,
        "ceiling_chunks_per_s": len(texts) / raw, "share_of_ceiling": (chunks / elapsed) / (len(texts) / raw),
        "peak_rss_mb": _peak_rss_mb(), "rss_before_mb": rss_before,
    }


def _child_ask(n_questions: int) -> dict[str, float]:
    from clientloop.ask import ask
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from clientloop.settings import Settings
    from evals.kb_questions import evaluate_kb_questions, load_questions

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), database_url=None)  # type: ignore[call-arg]
        container = Container(settings)
        ingest_paths(container, [DEMO_KB], kind="kb")
        qs = load_questions()
        questions = [qs[i % len(qs)].question for i in range(n_questions)]
        ask(container, "warm up question about fees")
        retrieval, full = [], []
        for q in questions:
            t0 = time.perf_counter()
            container.retriever.retrieve(q, where={"kind": "kb"})
            t1 = time.perf_counter()
            ask(container, q)
            t2 = time.perf_counter()
            retrieval.append((t1 - t0) * 1000)
            full.append((t2 - t1) * 1000)
        quality = evaluate_kb_questions(container, qs).metrics
        container.engine.dispose()
    out = {
        "questions": float(n_questions),
        "ask_p50_ms": percentile(full, 50), "ask_p95_ms": percentile(full, 95), "ask_p99_ms": percentile(full, 99),
        "retrieval_p50_ms": percentile(retrieval, 50), "retrieval_p95_ms": percentile(retrieval, 95),
        "peak_rss_mb": _peak_rss_mb(),
    }
    out.update({f"kb_{k}": float(v) for k, v in quality.items() if v is not None})
    return out


def _child_draft(words_target: int, repeats: int) -> dict[str, float]:
    import re
    from datetime import UTC, datetime

    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    lines = (REPO / "clientloop" / "demo_data" / "interactions" / "call-okafor-2026-11-16.txt").read_text(
        "utf-8").splitlines()
    text_lines: list[str] = []
    while sum(len(x.split()) for x in text_lines) < words_target:
        text_lines.extend(lines)
    text = "\n".join(text_lines)
    words = len(text.split())
    people = [Participant(name="Priya Shah", role="relationship_manager", side="firm"),
              Participant(name="Daniel Okafor", role="client", side="client")]
    when = datetime(2026, 11, 16, 10, tzinfo=UTC)
    draft_with_rules(text, kind="call_transcript", occurred_at=when, participants=people, client="Daniel Okafor")
    times, floor = [], []
    pattern = re.compile(r"\b(I'll|we will|could you|please)\b", re.I)
    for _ in range(repeats):
        t0 = time.perf_counter()
        draft_with_rules(text, kind="call_transcript", occurred_at=when, participants=people, client="Daniel Okafor")
        t1 = time.perf_counter()
        pattern.findall(text)
        t2 = time.perf_counter()
        times.append((t1 - t0) * 1000 * 1000 / words)
        floor.append((t2 - t1) * 1000 * 1000 / words)
    return {"words": float(words), "draft_ms_per_1k_words_p50": percentile(times, 50),
            "draft_ms_per_1k_words_p95": percentile(times, 95), "regex_floor_ms_per_1k_words": percentile(floor, 50)}


def _in_child(fn: Callable[..., dict[str, float]], *args: Any) -> dict[str, float]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def help_start_time(repeats: int = 5) -> dict[str, float]:
    """Seconds for `clientloop --help`, beside a bare `python -c pass` (the floor)."""
    exe = Path(sys.executable).with_name("clientloop")
    runs, floor = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        t2 = time.perf_counter()
        runs.append(t1 - t0)
        floor.append(t2 - t1)
    return {"help_p50_s": percentile(runs, 50), "python_floor_p50_s": percentile(floor, 50)}


def run_bench(*, synthetic_docs_n: int = 5000, ask_questions: int = 50, draft_words: int = 1000,
              draft_repeats: int = 20, review_requests: int = 2000,
              on_step: Callable[[str], None] | None = None) -> dict[str, dict[str, float]]:
    """Run every benchmark; returns {section: {figure: value}}."""
    steps: list[tuple[str, Callable[[], dict[str, float]]]] = [
        ("help", help_start_time),
        ("ingest_demo", lambda: _in_child(_child_ingest, "demo", 0)),
        ("ingest_synthetic", lambda: _in_child(_child_ingest, "synthetic", synthetic_docs_n)),
        ("ask", lambda: _in_child(_child_ask, ask_questions)),
        ("draft_rules", lambda: _in_child(_child_draft, draft_words, draft_repeats)),
    ]
    try:
        from evals.bench_review import run_review_bench

        steps.append(("review_api", lambda: run_review_bench(review_requests, concurrency=32)))
    except ImportError:
        pass
    results: dict[str, dict[str, float]] = {}
    for name, step in steps:
        if on_step:
            on_step(name)
        try:
            results[name] = step()
        except Exception as exc:  # one broken figure must not hide the others
            results[name] = {"error": float("nan")}
            print(f"bench {name} failed: {exc!r}", file=sys.stderr)  # noqa: T201
    return results
