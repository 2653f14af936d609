"""The bench run's plan follows its parameters; one tiny ask section runs for real (once)."""

from __future__ import annotations

import pytest

from evals.bench import BenchParams, plan


def test_plan_sections_follow_params():
    names = [name for name, _ in plan(BenchParams(ask_sizes=(1000, 2000), llm=False, demo=False))]
    assert names == ["help", "ingest_demo", "ingest_synthetic", "ask_1000", "ask_2000", "draft_rules", "brief",
                     "review_api"]
    assert "llm" in [name for name, _ in plan(BenchParams())]
    assert "llm" not in [name for name, _ in plan(BenchParams.quick())]
    only = [name for name, _ in plan(BenchParams(only=("ask", "demo")))]
    assert only == ["ask_10000", "ask_100000", "demo"]


def test_bench_modules_import_each_other_without_a_cycle():
    import ast
    from pathlib import Path

    import evals

    folder = Path(evals.__file__).parent
    modules = {p.stem: p for p in [*folder.glob("bench*.py"), folder / "measure.py"]}
    graph = {}
    for name, path in modules.items():
        imported = {node.module for node in ast.walk(ast.parse(path.read_text("utf-8")))
                    if isinstance(node, ast.ImportFrom) and node.module}
        graph[name] = {m.removeprefix("evals.") for m in imported if m.removeprefix("evals.") in modules}
    assert "bench" in graph and graph["measure"] == set()

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    assert [name for name in graph if reaches(name, name)] == []


@pytest.mark.once
def test_ask_section_times_the_database_index_beside_the_old_one() -> None:
    from evals.bench_store import ask_section

    raw = ask_section(300, 3, 8, 100, 7)
    assert raw["synthetic_chunks"] == 300 and raw["chunks"] > 300
    for key in ("first_ask_s", "ask_p95_ms", "retrieval_p95_ms", "vector_p50_ms", "old_first_retrieval_s",
                "old_retrieval_p95_ms", "vector_only_p50_ms", "filtered_vector_p50_ms", "fresh_first_ask_s",
                "fresh_ask_p95_ms", "cli_ask_wall_s"):
        assert raw[key] > 0, key


@pytest.mark.once
def test_ingest_section_ingests_every_chunk_and_keeps_its_own_peak_memory() -> None:
    from evals.bench_store import ingest_section

    raw = ingest_section("synthetic", 12, False)
    assert raw["documents"] == 12 and raw["errors"] == 0 and raw["chunks"] >= 12
    assert raw["ceiling_chunks_per_s"] >= raw["chunks"] / max(raw["ceiling_before_s"], raw["ceiling_after_s"])
    assert 0 < raw["share_of_ceiling"]
    assert raw["rss_before_mb"] <= raw["ingest_peak_rss_mb"] <= raw["peak_rss_mb"]
