"""Bench sections over a real store: ingestion throughput and `ask()` latency.

Each runs in a fresh child process (see `evals.bench`), so its peak memory is its own.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from evals.bench_corpus import DEMO_KB, Vocabulary, demo_vocabulary, perturbed_vectors, synthetic_chunks, synthetic_docs
from evals.bench_figures import Raw
from evals.measure import peak_rss_mb, percentile, reset_peak_rss


def temp_settings(tmp: str) -> Any:
    """Settings for a throwaway data directory: SQLite and embedded Chroma inside it, the rules engine."""
    from clientloop.settings import Settings

    return Settings(_env_file=None, data_dir=Path(tmp), database_url=None, engine="rules")  # type: ignore[call-arg]


def ingest_section(kind: str, n_docs: int, with_langchain: bool) -> Raw:
    """Runs in a fresh process: ingest a corpus as `clientloop ingest` does; time the model and LangChain.

    The files are written to a folder and ingested by `ingest_paths`, the function the CLI
    calls, so the figure is the shipped path. On the same chunk texts: the model alone
    (`embed_array`, the call the indexer makes: the ceiling), once before and once after the
    ingest, the faster of the two kept, so a machine that slows down or speeds up during the
    run cannot flatter the ingest's share; the model with the unoptimised session (no graph
    optimisation, batches sorted by characters) beside the tuned one on a sample; and
    LangChain's `Chroma.from_documents` with the same embeddings. The ingest's peak memory is
    its own: the count restarts just before it and is read just after it.
    """
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from pipeline.chunking import chunk_document
    from pipeline.loaders import load_document

    with tempfile.TemporaryDirectory() as tmp:
        settings = temp_settings(tmp)
        container = Container(settings)
        if kind == "demo":
            folder = DEMO_KB
            files = [(p.name, p.read_bytes()) for p in sorted(DEMO_KB.iterdir()) if p.is_file()]
        else:
            files = synthetic_docs(n_docs)
            folder = Path(tmp) / "docs"
            folder.mkdir()
            for name, data in files:
                (folder / name).write_bytes(data)
        chunked = [(name, c) for name, data in files
                   for c in chunk_document(load_document(data, name, kind="kb"),
                                           max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)]
        texts = [c.text for _, c in chunked]
        container.embeddings.embed_query("warm up")
        _ = container.store.count()
        before = _ceiling_seconds(container.embeddings, texts)
        reset_peak_rss()
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        report = ingest_paths(container, [folder], kind="kb")
        elapsed = time.perf_counter() - started
        ingest_peak = peak_rss_mb()
        chunks = sum(r.chunks for r in report.results)
        out: Raw = {"documents": len(files), "chunks": chunks, "seconds": elapsed, "errors": len(report.errors),
                    "chunks_per_s": chunks / elapsed, "docs_per_s": len(files) / elapsed,
                    "ingest_peak_rss_mb": ingest_peak, "rss_before_mb": rss_before}
        out.update(_model_alone(container.embeddings, texts, chunks / elapsed, before))
        if with_langchain:
            out.update(_langchain_ingest(chunked, container.embeddings, Path(tmp) / "langchain"))
        container.engine.dispose()
    out.update(peak_rss_mb=peak_rss_mb())
    return out


SESSION_SAMPLE = 1000
"""Chunk texts embedded by both the tuned and the unoptimised session (the same texts)."""


def _ceiling_seconds(embeddings: Any, texts: list[str]) -> float:
    started = time.perf_counter()
    embeddings.embed_array(texts)
    return time.perf_counter() - started


def _model_alone(embeddings: Any, texts: list[str], ingest_rate: float, before_s: float) -> Raw:
    """The ceiling on all texts (the faster of before and now), then both sessions on a sample."""
    from pipeline.embeddings import OnnxMiniLMEmbeddings

    after_s = _ceiling_seconds(embeddings, texts)
    raw = min(before_s, after_s)
    out: Raw = {"ceiling_chunks_per_s": len(texts) / raw, "share_of_ceiling": ingest_rate / (len(texts) / raw),
                "ceiling_before_s": before_s, "ceiling_after_s": after_s}
    sample = texts[:SESSION_SAMPLE]
    tokens = sum(len(t) for t in embeddings.token_ids(sample))
    plain = OnnxMiniLMEmbeddings(batch_size=embeddings.batch_size, intra_op_threads=2, graph_optimization="disable",
                                 bucket_by_tokens=False)
    plain.embed_query("warm up")
    for name, model in (("tuned", embeddings), ("plain", plain), ("tuned2", embeddings), ("plain2", plain)):
        started = time.perf_counter()
        model.embed_array(sample)
        out[f"{name}_s"] = time.perf_counter() - started
    for name in ("tuned", "plain"):
        best = min(out[f"{name}_s"], out[f"{name}2_s"])  # each session twice, interleaved: the better of two
        out[f"{name}_tokens_per_s"] = tokens / best
        out[f"{name}_chunks_per_s"] = len(sample) / best
    out["session_sample_chunks"], out["session_sample_tokens"] = len(sample), tokens
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


def ask_section(n_chunks: int, n_questions: int, base_texts: int, batch: int, seed: int) -> Raw:
    """Runs in a fresh process: a store of `n_chunks` synthetic chunks plus the demo KB; time `ask()`."""
    import numpy as np

    from clientloop.ask import ask
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from evals.kb_questions import load_questions

    vocab = Vocabulary.zipf(demo_vocabulary(), seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(temp_settings(tmp))
        b0 = time.perf_counter()
        ingest_paths(container, [DEMO_KB], kind="kb")
        b1 = time.perf_counter()
        rss_model_mb = peak_rss_mb()  # the model loaded and the demo KB indexed: the floor under the big store
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
            _index_keywords(container, part)
        b3 = time.perf_counter()
        build_s = b3 - b0
        total = container.store.count()
        qs = load_questions()
        questions = [qs[i % len(qs)].question for i in range(n_questions)]
        t0 = time.perf_counter()
        ask(container, "What is the fee for a CHAPS payment?")
        first_ask_s = time.perf_counter() - t0
        retrieval, full, vector = [], [], []
        query_vectors = []
        for q in questions:
            t0 = time.perf_counter()
            query_vectors.append(container.embeddings.embed_query(q))
            container.store.query(query_vectors[-1], container.retriever.candidates, where={"kind": "kb"})
            t1 = time.perf_counter()
            container.retriever.retrieve(q, where={"kind": "kb"})
            t2 = time.perf_counter()
            ask(container, q)
            t3 = time.perf_counter()
            vector.append((t1 - t0) * 1000)
            retrieval.append((t2 - t1) * 1000)
            full.append((t3 - t2) * 1000)
        old = _old_index(container, questions)
        layouts = _vector_layouts(container, query_vectors)
        container.engine.dispose()
        fresh = _fresh_process_ask(Path(tmp), questions)
    out: Raw = {"chunks": total, "synthetic_chunks": n_chunks, "questions": n_questions, "build_s": build_s,
                "demo_ingest_s": b1 - b0, "base_embed_s": b2 - b1, "generate_s": generate_s,
                "upsert_s": b3 - b2 - generate_s, "first_ask_s": first_ask_s,
                "vectors": f"vectors: synthetic ({base_texts} real embeddings, perturbed sigma 0.02, normalised)",
                "peak_rss_mb": peak_rss_mb(), "rss_model_mb": rss_model_mb}
    for pct in (50, 95, 99):
        out[f"ask_p{pct}_ms"] = percentile(full, pct)
        out[f"retrieval_p{pct}_ms"] = percentile(retrieval, pct)
        out[f"vector_p{pct}_ms"] = percentile(vector, pct)
    return out | old | layouts | fresh


def _index_keywords(container: Any, part: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Write synthetic chunks to the database keyword index, as the indexer does for real ones."""
    from knowledge.keyword_index import KeywordRow, index_chunks

    with container.engine.begin() as conn:
        rows = [KeywordRow(cid, str(meta["source_id"]), text, str(meta["kind"])) for cid, text, meta in part]
        index_chunks(conn, rows)


def _old_index(container: Any, questions: list[str]) -> Raw:
    """The old retriever (BM25 rebuilt in memory from the vector store) on the same store and questions."""
    from knowledge.retrieval import HybridRetriever

    old = HybridRetriever(container.store, container.embeddings, k=container.settings.retrieval_k)
    t0 = time.perf_counter()
    old.retrieve(questions[0], where={"kind": "kb"})
    first = time.perf_counter() - t0
    times = []
    for q in questions:
        t0 = time.perf_counter()
        old.retrieve(q, where={"kind": "kb"})
        times.append((time.perf_counter() - t0) * 1000)
    out: Raw = {"old_first_retrieval_s": first}
    for pct in (50, 95):
        out[f"old_retrieval_p{pct}_ms"] = percentile(times, pct)
    return out


def _vector_layouts(container: Any, query_vectors: list[list[float]]) -> Raw:
    """The vector query alone (vectors embedded beforehand), as shipped and as the old single-collection layout ran it.

    The old layout kept knowledge-base and client-history chunks in one collection and asked
    for `kind == "kb"`; the same query with that filter, on the same chunks, is its cost.
    Each question runs both ways in turn, so load on the machine hits both alike.
    """
    k = container.retriever.candidates
    kb = container.store.client.get_collection(f"{container.store.collection_name}-kb")
    shipped, filtered = [], []
    for vector in query_vectors:
        t0 = time.perf_counter()
        container.store.query(vector, k, where={"kind": "kb"})
        t1 = time.perf_counter()
        kb.query(query_embeddings=[vector], n_results=k, where={"kind": "kb"},
                 include=["documents", "metadatas", "distances"])
        t2 = time.perf_counter()
        shipped.append((t1 - t0) * 1000)
        filtered.append((t2 - t1) * 1000)
    out: Raw = {}
    for pct in (50, 95):
        out[f"vector_only_p{pct}_ms"] = percentile(shipped, pct)
        out[f"filtered_vector_p{pct}_ms"] = percentile(filtered, pct)
    return out


_FRESH_ASK = """
import json, sys, time
questions = json.loads(sys.argv[1])
t0 = time.perf_counter()
from clientloop.ask import ask
from clientloop.container import Container
t1 = time.perf_counter()
container = Container()
ask(container, questions[0])
t2 = time.perf_counter()
times = []
for q in questions:
    s = time.perf_counter()
    ask(container, q)
    times.append((time.perf_counter() - s) * 1000)
print(json.dumps({"imports_s": t1 - t0, "first_ask_s": t2 - t1, "asks_ms": times}))
"""
"""A new process that opens the store, as `clientloop serve` or `clientloop ask` would, and asks."""


def _fresh_process_ask(data_dir: Path, questions: list[str]) -> Raw:
    """The shipped path in processes of their own: first ask after opening the store, and `clientloop ask`'s wall time.

    The store is the one just built; each child opens it afresh (settings from the
    environment, as the CLI reads them), so nothing the build cached in this process helps.
    """
    import json
    import os
    import statistics
    import subprocess
    import sys

    env = {**os.environ, "CLIENTLOOP_DATA_DIR": str(data_dir), "CLIENTLOOP_ENGINE": "rules", "NO_COLOR": "1"}
    env.pop("CLIENTLOOP_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", _FRESH_ASK, json.dumps(questions)], env=env, cwd=str(data_dir),
                          capture_output=True, text=True, check=True)
    child = json.loads(done.stdout.strip().splitlines()[-1])
    exe = str(Path(sys.executable).with_name("clientloop"))
    walls, floor = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([exe, "ask", "--json", "What is the fee for a CHAPS payment?"], env=env, cwd=str(data_dir),
                       capture_output=True, check=True)
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        walls.append(t1 - t0)
        floor.append(time.perf_counter() - t1)
    return {"fresh_imports_s": child["imports_s"], "fresh_first_ask_s": child["first_ask_s"],
            "fresh_ask_p50_ms": percentile(child["asks_ms"], 50), "fresh_ask_p95_ms": percentile(child["asks_ms"], 95),
            "cli_ask_wall_s": statistics.median(walls), "python_floor_s": statistics.median(floor)}
