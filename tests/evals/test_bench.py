"""Fast tests of the bench's pure helpers (no timing assertions, no models, no servers)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from evals.bench import (
    BenchParams,
    Figure,
    Vocabulary,
    demo_vocabulary,
    figures_for,
    format_value,
    percentile,
    perturbed_vectors,
    plan,
    synthetic_chunk,
    synthetic_chunks,
    synthetic_docs,
    table_rows,
)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile(values, 0) == 1
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(range(1, 11)), 7) == 1  # 0.7 of a rank rounds up to the first value


def test_percentile_of_nothing_is_nan_and_bad_q_raises():
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_bench_modules_share_one_percentile():
    import evals.bench_brief as brief
    import evals.bench_review as review

    assert review.percentile is percentile
    assert brief.percentile is percentile


def test_synthetic_docs_are_deterministic():
    assert synthetic_docs(5) == synthetic_docs(5)
    assert synthetic_docs(5, seed=1) != synthetic_docs(5, seed=2)


def test_synthetic_chunks_are_deterministic_and_independent_of_batching():
    vocab = Vocabulary.zipf(demo_vocabulary(), seed=7)
    whole = synthetic_chunks(10, vocab)
    parts = synthetic_chunks(4, vocab) + synthetic_chunks(6, vocab, start=4)
    assert whole == parts
    assert whole == synthetic_chunks(10, Vocabulary.zipf(demo_vocabulary(), seed=7))
    assert synthetic_chunk(3, vocab, seed=8) != synthetic_chunk(3, vocab, seed=7)
    ids = [c[0] for c in whole]
    assert len(set(ids)) == 10
    cid, text, meta = whole[0]
    assert meta["kind"] == "kb" and meta["end"] == len(text) and set(meta) >= {"source_id", "source_title", "heading"}
    assert 40 < len(text.split()) < 250


def test_zipf_vocabulary_weights_are_increasing():
    vocab = Vocabulary.zipf(["b", "a", "c", "a"], seed=1)
    assert sorted(vocab.words) == ["a", "b", "c"]
    assert list(vocab.cum_weights) == sorted(vocab.cum_weights)
    assert vocab.cum_weights[0] == 1.0


def test_perturbed_vectors_are_unit_and_deterministic():
    base = np.eye(4, dtype=np.float32)
    a = perturbed_vectors(base, range(10), sigma=0.01, seed=3)
    b = perturbed_vectors(base, range(10), sigma=0.01, seed=3)
    assert a.shape == (10, 4) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a, b)
    assert int(np.argmax(a[5])) == 1  # close to base[5 % 4]


def test_figure_ratio_and_json():
    f = Figure("ask_10000", "ask p50", 30.0, "ms", 20.0, "retrieval only")
    assert f.ratio == 1.5
    assert Figure("s", "x", float("nan"), baseline=2.0).ratio is None
    assert Figure("s", "x", 1.0, baseline=0.0).ratio is None
    assert Figure("s", "x", 1.0).ratio is None
    row = Figure("s", "x", float("nan"), baseline=float("inf")).to_json()
    assert row["value"] is None and row["baseline"] is None and row["ratio"] is None
    json.dumps(row, allow_nan=False)


def test_format_value():
    assert format_value(None) == "—"
    assert format_value(float("nan"), "ms") == "—"
    assert format_value(1234.567, "chunks/s") == "1,235 chunks/s"
    assert format_value(12.345, "ms") == "12.3 ms"
    assert format_value(0.01234, "s") == "0.0123 s"
    assert format_value(3.0, "calls") == "3 calls"


def test_table_rows_name_each_section_once_and_show_baselines():
    figures = [
        Figure("ask_10000", "ask p50", 30.0, "ms", 20.0, "retrieval only"),
        Figure("ask_10000", "ask p95", 40.0, "ms", None, "no baseline"),
        Figure("demo", "peak RSS", 500.0, "MB"),
    ]
    rows = table_rows(figures)
    assert [r[0] for r in rows] == ["ask_10000", "", "demo"]
    assert rows[0] == ("ask_10000", "ask p50", "30.0 ms", "20.0 ms (retrieval only)", "1.50×")
    assert rows[1][3] == "no baseline" and rows[1][4] == "—"
    assert rows[2][3] == "—"


def test_figures_for_every_section_have_baselines_where_promised():
    raw = {"ask_p50_ms": 30.0, "retrieval_p50_ms": 20.0, "ask_p95_ms": 50.0, "retrieval_p95_ms": 40.0,
           "ask_p99_ms": 60.0, "retrieval_p99_ms": 45.0, "vector_p50_ms": 10.0, "chunks": 10138,
           "first_ask_s": 3.0, "build_s": 40.0, "vectors": "vectors: synthetic", "peak_rss_mb": 900.0}
    figs = figures_for("ask_10000", raw)
    assert figs[0].name == "ask p50 (10,138 chunks)" and figs[0].ratio == 1.5
    assert any("vectors: synthetic" in f.baseline_name for f in figs)
    review = figures_for("review_api", {"req_per_s": 100.0, "healthz_req_per_s": 400.0, "p99_ms": 80.0,
                                        "healthz_p99_ms": 20.0, "concurrency": 32, "audit_chain_ok": 1.0})
    assert review[0].ratio == 0.25 and review[1].ratio == 4.0
    llm = figures_for("llm", {"okafor_calls": 1, "okafor_windows": 1, "okafor_prompt_tokens": 3300,
                              "okafor_tokenizer_tokens": 1500})
    assert llm[1].ratio == 2.2
    failed = figures_for("brief", {"error": "RuntimeError: boom"})
    assert failed[0].name == "error" and "boom" in failed[0].baseline_name


def test_plan_sections_follow_params():
    names = [name for name, _ in plan(BenchParams(ask_sizes=(1000, 2000), llm=False, demo=False))]
    assert names == ["help", "ingest_demo", "ingest_synthetic", "ask_1000", "ask_2000", "draft_rules", "brief",
                     "review_api"]
    assert "llm" in [name for name, _ in plan(BenchParams())]
    assert "llm" not in [name for name, _ in plan(BenchParams.quick())]
    only = [name for name, _ in plan(BenchParams(only=("ask", "demo")))]
    assert only == ["ask_10000", "ask_100000", "demo"]
