from __future__ import annotations

from evals.datasets import DatasetReport
from evals.report import render_html, render_markdown


def test_report_plots_the_abstention_curve_with_the_shipped_cutoff() -> None:
    curve = [
        {"cutoff": 0.2, "precision": 1.0, "recall": 0.25, "shipped": 0.0},
        {"cutoff": 0.4, "precision": 0.8, "recall": 0.5, "shipped": 1.0},
        {"cutoff": 0.6, "precision": None, "recall": 0.0, "shipped": 0.0},
    ]
    report = DatasetReport(dataset="kb-questions", split="test", engine="rules", metrics={}, abstention_curve=curve)
    html = render_html([report])
    assert "Abstention precision / recall" in html and "<svg" in html
    assert html.count("<circle") == 2 and 'r="5"' in html and "0.40 (shipped)" in html
    md = render_markdown([report])
    assert "0.20 1.000/0.250, 0.40* 0.800/0.500, 0.60 n/a/0.000" in md
