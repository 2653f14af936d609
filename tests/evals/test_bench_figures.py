"""The bench table: figures, ratios and formatting (no timing, no models)."""

from __future__ import annotations

import json

import pytest

from evals.bench_figures import Figure, figures_for, format_value, table_rows


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
    by_name = {f.name: f for f in figs}
    assert by_name["first ask"].ratio == pytest.approx(100.0)  # 3 s against a warm 30 ms
    assert by_name["peak RSS"].ratio is None  # no model-only reading in this raw: no invented baseline
    with_floor = {f.name: f for f in figures_for("ask_10000", {**raw, "rss_model_mb": 450.0})}
    assert with_floor["peak RSS"].ratio == 2.0 and with_floor["peak RSS"].baseline_name == "model loaded, demo KB only"
    review = figures_for("review_api", {"req_per_s": 100.0, "healthz_req_per_s": 400.0, "p99_ms": 80.0,
                                        "healthz_p99_ms": 20.0, "concurrency": 32, "audit_chain_ok": 1.0})
    assert review[0].ratio == 0.25 and review[1].ratio == 4.0
    cpu = {f.name: f for f in figures_for("review_api", {"list_only_req_per_s": 50.0, "healthz_req_per_s": 200.0,
                                                         "list_only_cpu_ms": 3.0, "healthz_cpu_ms": 0.75})}
    assert cpu["list queue server CPU per request (sqlite, 1 process(es))"].ratio == 4.0
    llm = figures_for("llm", {"okafor_calls": 1, "okafor_windows": 1, "okafor_prompt_tokens": 3300,
                              "okafor_tokenizer_tokens": 1500})
    assert llm[1].ratio == 2.2
    failed = figures_for("brief", {"error": "RuntimeError: boom"})
    assert failed[0].name == "error" and "boom" in failed[0].baseline_name


def test_brief_figures_stand_beside_the_read_of_the_same_rows():
    figs = figures_for("brief", {"p50_ms": 6.0, "p95_ms": 8.0, "rows_p50_ms": 2.0, "rows_p95_ms": 4.0,
                                 "clients": 500, "interactions": 20000})
    assert [(f.ratio, f.baseline_name) for f in figs] == [(3.0, "the client's rows, read only"),
                                                          (2.0, "the client's rows, read only")]


def test_ingest_memory_figure_is_the_ingest_peak_not_the_whole_section():
    raw = {"documents": 10, "chunks": 40, "chunks_per_s": 90.0, "ceiling_chunks_per_s": 100.0,
           "ingest_peak_rss_mb": 700.0, "peak_rss_mb": 1200.0, "rss_before_mb": 350.0}
    figs = {f.name: f for f in figures_for("ingest_synthetic", raw)}
    assert figs["peak RSS during ingest"].value == 700.0 and figs["peak RSS during ingest"].ratio == 2.0
    older = {f.name: f for f in figures_for("ingest_synthetic", {**raw, "ingest_peak_rss_mb": None})}
    assert older["peak RSS during ingest"].value == 1200.0


def test_vector_query_stands_beside_the_old_filtered_layout_and_the_smaller_store():
    from evals.bench_figures import scaling_figures

    small = {"chunks": 10138, "vector_only_p50_ms": 2.0, "filtered_vector_p50_ms": 20.0}
    big = {"chunks": 100138, "vector_only_p50_ms": 3.0, "filtered_vector_p50_ms": 300.0}
    by_name = {f.name: f for f in figures_for("ask_100000", big)}
    assert by_name["vector query alone p50"].ratio == pytest.approx(0.01)
    shipped, old = scaling_figures({"ask_10000": small, "ask_100000": big, "demo": {"wall_s": 9.0}})
    assert shipped.name == "vector query alone p50, 100,138 chunks" and shipped.ratio == pytest.approx(1.5)
    assert "10,138" in shipped.baseline_name and old.ratio == pytest.approx(15.0)
    assert scaling_figures({"ask_10000": small, "ask_100000": {"error": "boom"}}) == []
