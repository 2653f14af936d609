"""`clientloop bench`: throughput, latency and memory, each beside a baseline from the same run.

Every figure is measured on this machine in this run; nothing is compared with numbers
from elsewhere. Each section that loads models or stores runs in a fresh child process,
so its peak memory (`ru_maxrss`) is its own. Sizes are parameters (`BenchParams`), so the
quick run, the default run and a large run use the same code.

This module holds the run (sizes, plan, machine facts); the sections are in
`evals.bench_process`, `evals.bench_store`, `evals.bench_draft`, `evals.bench_brief` and
`evals.bench_review`, their synthetic data in `evals.bench_corpus`, the table in
`evals.bench_figures`, the machine facts in `evals.bench_machine`, the comparison of two
runs in `evals.bench_compare`, and the shared percentile in `evals.measure`.

Sections and their baselines:

- ``help``: `clientloop --help` start time vs a bare `python -c pass` (the interpreter floor).
- ``ingest_demo`` / ``ingest_synthetic``: chunks per second through the real ingest path
  vs the raw embedding model on the same chunk texts (the ceiling: ingestion waits on the
  model) and, for the synthetic corpus, vs LangChain's `Chroma.from_documents` with the
  same `OnnxMiniLMEmbeddings` on the same chunk texts.
- ``ask_<N>``: `ask()` latency p50/p95/p99 (query embedding, vector and BM25 search, fusion,
  extractive answer) at N chunks vs the retrieval step alone. Embedding 100k chunks for
  real takes over an hour on 2 cores, so the store is built directly: deterministic
  synthetic chunk texts, vectors that are real embeddings of a few hundred distinct texts
  reused with small random perturbations (normalised), upserted through `ChunkStore.upsert`;
  the demo knowledge base is ingested for real beside them so the questions have answers.
  The output says ``vectors: synthetic``.
- ``draft_rules``: rules-engine drafting time per 1,000 words vs a regex pass over the
  same text (the floor for reading it).
- ``brief``: `generate_brief` p50/p95 on a bulk-inserted synthetic book vs reading the same
  client's rows (one query per table, nothing composed).
- ``review_api``: requests per second and p99 of listing the queue, reading one item and the
  whole workflow (list, show, claim, approve and release) under 32 concurrent clients on
  loopback vs the same server's `/healthz` under the same clients (framework and loopback
  floor); SQLite by default, PostgreSQL and several uvicorn processes by parameter.
- ``llm`` (``--llm``): model calls and prompt tokens per demo transcript as reported by the
  local llama.cpp server (SmolLM2) vs the windows the engine planned (the minimum calls) and
  a tokenizer count of the rendered system and user messages (the server adds the chat
  template, the tool schema and any repair call).
- ``demo``: peak RSS and wall time of `clientloop demo` vs a process that only loads the
  embedding model and embeds one query.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from typing import Any

from evals.bench_brief import brief_section
from evals.bench_draft import draft_rules_section, llm_section
from evals.bench_figures import Raw, figures_for, json_number, scaling_figures
from evals.bench_machine import machine_info
from evals.bench_process import demo_memory, help_start_time
from evals.bench_review import review_section
from evals.bench_store import ask_section, ingest_section


def _in_child(fn: Callable[..., Raw], *args: Any) -> Raw:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


@dataclass(frozen=True)
class BenchParams:
    """Sizes of one run. The defaults are the full run (< 10 minutes on 2 cores); see `quick()`."""

    help_repeats: int = 5
    synthetic_docs: int = 100
    ask_sizes: tuple[int, ...] = (10_000, 100_000)
    ask_questions: int = 50
    ask_base_texts: int = 256
    ask_batch: int = 5000
    draft_words: int = 1000
    draft_repeats: int = 20
    brief_clients: int = 500
    brief_interactions: int = 20_000
    brief_samples: int = 100
    review_requests: int = 2000
    review_concurrency: int = 32
    review_postgres_url: str | None = None
    review_processes: int = 1
    llm: bool = True
    llm_n_ctx: int = 8192
    llm_max_tokens: int = 512
    demo: bool = True
    seed: int = 7
    only: tuple[str, ...] = field(default=())

    @classmethod
    def quick(cls, **overrides: Any) -> BenchParams:
        """The quick run (< 2 minutes on 2 cores): small sizes, no LLM."""
        base = cls(help_repeats=3, synthetic_docs=25, ask_sizes=(10_000,), ask_questions=20, ask_base_texts=64,
                   draft_repeats=5, brief_clients=100, brief_interactions=2000, brief_samples=30,
                   review_requests=400, llm=False)
        return replace(base, **overrides)


def plan(params: BenchParams) -> list[tuple[str, Callable[[], Raw]]]:
    """The sections of a run, in order, as (name, zero-argument measurement)."""
    p = params
    steps: list[tuple[str, Callable[[], Raw]]] = [
        ("help", lambda: help_start_time(p.help_repeats)),
        ("ingest_demo", lambda: _in_child(ingest_section, "demo", 0, False)),
        ("ingest_synthetic", lambda: _in_child(ingest_section, "synthetic", p.synthetic_docs, True)),
    ]
    def ask_step(n: int) -> Callable[[], Raw]:
        return lambda: _in_child(ask_section, n, p.ask_questions, p.ask_base_texts, p.ask_batch, p.seed)

    steps += [(f"ask_{n}", ask_step(n)) for n in p.ask_sizes]
    steps += [
        ("draft_rules", lambda: _in_child(draft_rules_section, p.draft_words, p.draft_repeats)),
        ("brief", lambda: _in_child(brief_section, p.brief_clients, p.brief_interactions, p.brief_samples)),
        ("review_api", lambda: _in_child(review_section, p.review_requests, p.review_concurrency,
                                         p.review_postgres_url, p.review_processes)),
    ]
    if p.llm:
        steps.append(("llm", lambda: _in_child(llm_section, p.llm_n_ctx, p.llm_max_tokens)))
    if p.demo:
        steps.append(("demo", demo_memory))
    if p.only:
        steps = [(name, fn) for name, fn in steps if any(name == o or name.startswith(f"{o}_") for o in p.only)]
    return steps


def _parameters(params: BenchParams) -> dict[str, Any]:
    """The run's parameters for the report; a database URL's password is masked."""
    out = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()}
    if params.review_postgres_url:
        from sqlalchemy.engine import make_url

        out["review_postgres_url"] = make_url(params.review_postgres_url).render_as_string(hide_password=True)
    return out


def run_bench(params: BenchParams | None = None, *,
              on_step: Callable[[str, int, int], None] | None = None,
              on_done: Callable[[str, float, Raw], None] | None = None) -> dict[str, Any]:
    """Run every section; returns {"machine", "parameters", "sections": {name: raw}, "figures": [...]}.

    A section that fails is reported as ``{"error": ...}``; the others still run.
    """
    params = params or BenchParams()
    steps = plan(params)
    machine = machine_info()
    sections: dict[str, Raw] = {}
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    for index, (name, step) in enumerate(steps, start=1):
        if on_step:
            on_step(name, index, len(steps))
        t0 = time.perf_counter()
        try:
            sections[name] = step()
        except Exception as exc:  # one broken figure must not hide the others
            sections[name] = {"error": f"{type(exc).__name__}: {exc}"}
        seconds[name] = time.perf_counter() - t0
        if on_done:
            on_done(name, seconds[name], sections[name])
    machine["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    figures = [f for name, raw in sections.items() for f in figures_for(name, raw)] + scaling_figures(sections)
    return {
        "machine": machine,
        "parameters": _parameters(params),
        "total_s": time.perf_counter() - started,
        "section_seconds": seconds,
        "sections": {k: {kk: json_number(vv) for kk, vv in v.items()} for k, v in sections.items()},
        "figures": [f.to_json() for f in figures],
    }
