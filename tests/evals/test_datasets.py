"""Dataset readers, scorers, the amount parser, ROUGE and the report, on small inputs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evals.datasets import DatasetReport, prf
from evals.datasets.banking77 import load_mapping
from evals.datasets.enron import is_request
from evals.datasets.qmsum import extractive_summary, rouge_l_f, rouge_n_f
from evals.report import render_html, render_markdown
from evals.runner import EngineNotSupported, data_available, run
from pipeline.amounts import find_amounts, words_to_number
from tests.eval_data import missing_eval_data


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("please send £1,200 today", 1200.0, "GBP"), ("move 1.5k to savings", 1500.0, None),
    ("it was twenty pounds", 20.0, "GBP"), ("a thousand pounds via ATM", 1000.0, "GBP"),
    ("I want that 40€ back", 40.0, "EUR"), ("more than 400 in groceries", 400.0, None),
    ("two hundred and fifty euros", 250.0, "EUR"), ("a payment of 84$", 84.0, "USD"),
])
def test_find_amounts_reads_figures_words_and_currencies(text: str, amount: float, currency: str | None) -> None:
    found = find_amounts(text)
    assert len(found) == 1 and found[0].amount == amount and found[0].currency == currency
    assert text[found[0].start:found[0].end] == found[0].text


def test_find_amounts_leaves_counts_and_times_alone() -> None:
    assert find_amounts("I went 5 times in 7 days, at 10 past 9") == []
    assert words_to_number("banana") is None


def test_is_request_uses_engine_detector_for_requests_only() -> None:
    assert is_request("Could you please send me the signed contract by Friday?")
    assert not is_request("I'll send you the contract tomorrow.")  # a commitment, not an ask
    assert not is_request("The meeting went well.")


def test_rouge_matches_hand_computed_values() -> None:
    assert rouge_n_f("the cat sat", "the cat ran") == pytest.approx(2 / 3)
    assert rouge_l_f("a b c d", "a c d") == pytest.approx(2 * (3 / 4) * 1 / (3 / 4 + 1))
    assert rouge_n_f("", "x") is None


def test_extractive_summary_keeps_transcript_order_and_budget() -> None:
    turns = [{"speaker": "A", "content": f"The remote control design needs buttons number {i} today ."}
             for i in range(60)]
    summary = extractive_summary(turns, words=30)
    assert 0 < len(summary.split()) <= 40 and "{" not in summary


def test_banking77_mapping_uses_known_flags_only() -> None:
    mapping = load_mapping()
    assert len(mapping) == 77 and mapping["transfer_fee_charged"] == {"fees_pricing"}


def test_banking77_mapping_covers_every_intent(shared_dir) -> None:
    categories = json.loads((shared_dir / "eval-data" / "banking77" / "categories.json").read_text())
    assert set(categories) == set(load_mapping())


def test_unsupported_engine_says_so() -> None:
    with pytest.raises(EngineNotSupported, match="supports: rules"):
        run("banking77", engine="llm")


def test_prf_returns_none_not_zero_when_undefined() -> None:
    assert prf(0, 0, 3)["precision"] is None and prf(0, 0, 3)["recall"] == 0.0


def test_report_shows_na_with_reason_bars_confusion_and_misses() -> None:
    report = DatasetReport(
        dataset="demo", split="dev", engine="rules", metrics={"recall": 0.5, "precision": None},
        notes={"precision": "nothing predicted"}, confusion={"type": {"task": {"task": 2, "case": 1}}},
        misses=[{"kind": "false_negative", "expected": "Yes", "predicted": "No", "text": "<b>send it</b>"}],
    )
    html = render_html([report], skipped={"other": "not present"})
    assert "width: 50.0%" in html and "nothing predicted" in html and "&lt;b&gt;send it&lt;/b&gt;" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1]
    md = render_markdown([report])
    assert "precision n/a (nothing predicted)" in md


def test_cli_eval_banking77_rejects_llm_engine() -> None:
    from clientloop.cli import app

    result = CliRunner().invoke(app, ["eval", "banking77", "--engine", "llm"])
    assert result.exit_code == 2


def test_enron_scores_through_runner(shared_dir) -> None:
    why = data_available("enron-email-intent")
    if why:
        missing_eval_data(why)
    report = run("enron-email-intent", split="test")
    assert report.counts["sentences"] == 992 and report.metrics["precision"] is not None
    assert all("text" in m for m in report.misses)


@pytest.mark.once
def test_banking77_themes_scores_clustering_beside_the_tfidf_baseline(shared_dir, embeddings) -> None:
    report = run("banking77-themes", split="train", data_dir=shared_dir / "eval-data", limit=300, embed=embeddings)
    figures = report.per_label or {}
    assert set(figures) == {"themes", "minilm_kmeans77", "tfidf_kmeans77"}
    assert report.counts["queries"] == 300 and report.counts["tfidf_kmeans77_clusters"] == 77
    assert all(0 <= report.metrics[f"{m}_{k}"] <= 1 for m in figures for k in ("purity", "ami"))
    # The local vectors must beat bag-of-words on the same queries, or the themes are no better than keywords.
    assert report.metrics["minilm_kmeans77_ami"] > report.metrics["tfidf_kmeans77_ami"]
