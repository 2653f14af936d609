"""`clientloop bench --compare`: the change per figure between two saved runs (no timing, no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from clientloop.cli import app
from evals.bench_compare import compare, comparison, load_report, machine_differences
from evals.bench_figures import Figure
from evals.bench_machine import machine_info

PACKAGES = {"onnxruntime": "1.32.0", "chromadb": "1.5.9"}


def _report(ingest: float, baseline: float, ask_p50: float, commit: str, **machine: object) -> dict:
    figures = [
        Figure("ingest_demo", "ingest (16 docs, 138 chunks)", ingest, "chunks/s", baseline, "raw embedding model"),
        Figure("ask_10000", "ask p50 (10,138 chunks)", ask_p50, "ms", 50.0, "retrieval only"),
        Figure("review_api", "errors", 0.0, "", None, "audit chain ok"),
    ]
    return {
        "machine": {
            "cpus": 2,
            "ram_gb": 23.5,
            "python": "3.11.7",
            "packages": dict(PACKAGES),
            "commit": commit,
            **machine,
        },
        "figures": [f.to_json() for f in figures],
    }


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    old = _report(ingest=28.0, baseline=49.0, ask_p50=60.0, commit="aaaaaaa")
    new = _report(ingest=56.0, baseline=49.0, ask_p50=61.0, commit="bbbbbbb")
    new["figures"].append(Figure("ingest_synthetic", "ingest vs LangChain", 130.0, "chunks/s", 124.0, "x").to_json())
    old["figures"].append(Figure("demo", "clientloop demo wall", 9.5, "s", 0.6, "model").to_json())
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return tmp_path / "old.json", tmp_path / "new.json"


def test_each_figure_is_matched_by_section_and_name_and_judged_by_its_unit(runs) -> None:
    changes = {c.name: c for c in compare(load_report(runs[0]), load_report(runs[1]))}
    ingest = changes["ingest (16 docs, 138 chunks)"]
    assert ingest.change == pytest.approx(1.0) and ingest.verdict == "better"  # throughput doubled
    assert ingest.old_ratio == pytest.approx(28 / 49) and ingest.new_ratio == pytest.approx(56 / 49)
    assert ingest.ratio_change == pytest.approx(1.0)
    ask = changes["ask p50 (10,138 chunks)"]
    assert ask.verdict == "same" and ask.change == pytest.approx(1 / 60)  # latency within 5%
    assert changes["errors"].verdict == "same" and changes["errors"].change is None  # 0 -> 0
    assert changes["ingest vs LangChain"].verdict == "new" and changes["clientloop demo wall"].verdict == "gone"
    assert list(changes)[-1] == "clientloop demo wall"  # the new run's order, then the old run's leftovers


def test_slower_latency_and_lower_throughput_are_worse() -> None:
    old, new = _report(50.0, 49.0, 60.0, "a"), _report(40.0, 49.0, 90.0, "b")
    verdicts = {c.name: c.verdict for c in compare(old, new)}
    assert verdicts["ingest (16 docs, 138 chunks)"] == "worse" and verdicts["ask p50 (10,138 chunks)"] == "worse"


def test_machine_differences_name_cores_memory_python_and_packages() -> None:
    old = _report(1, 1, 1, "a")
    new = _report(1, 1, 1, "b", cpus=8, ram_gb=64.0)
    new["machine"]["packages"]["onnxruntime"] = "1.33.0"
    assert machine_differences(old, new) == [
        ("cpus", "2", "8"),
        ("ram_gb", "23.5", "64.0"),
        ("onnxruntime", "1.32.0", "1.33.0"),
    ]
    assert machine_differences(old, old) == []
    both = comparison(old, new)
    assert both["old_commit"] == "a" and both["new_commit"] == "b" and len(both["changes"]) == 3


def test_cli_prints_the_change_per_figure(runs) -> None:
    result = CliRunner().invoke(
        app, ["bench", "--compare", str(runs[0]), "--against", str(runs[1])], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "138 chunks" in row)
    assert "28.0 chunks/s" in line and "56.0 chunks/s" in line and "+100%" in line and "better" in line
    assert "0.57×" in line and "1.14×" in line


def test_cli_json_carries_every_change_and_the_new_run(runs) -> None:
    result = CliRunner().invoke(app, ["bench", "--compare", str(runs[0]), "--against", str(runs[1]), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["new"] == json.loads(runs[1].read_text())
    assert {c["verdict"] for c in out["comparison"]["changes"]} == {"better", "same", "new", "gone"}


def test_cli_refuses_a_file_that_is_not_a_bench_run(tmp_path: Path, runs) -> None:
    (tmp_path / "x.json").write_text('{"sections": {}}')
    bad = CliRunner().invoke(app, ["bench", "--compare", str(tmp_path / "x.json"), "--against", str(runs[1])])
    assert bad.exit_code == 2 and "no figures" in bad.output
    alone = CliRunner().invoke(app, ["bench", "--against", str(runs[1])])
    assert alone.exit_code == 2 and "--compare" in alone.output


def test_machine_info_records_cores_memory_python_and_versions() -> None:
    info = machine_info()
    assert info["cpus"] >= 1 and info["ram_gb"] > 0 and info["python"].count(".") == 2
    assert {"onnxruntime", "chromadb", "fastapi", "sqlalchemy"} <= set(info["packages"])
