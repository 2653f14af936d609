"""Readers and scorers for the public evaluation sets kept beside the repository.

One small module per dataset. Each reads its files straight from `shared/eval-data/`
(never copied into the repository), scores one of clientloop's engines through the same
public functions the product calls, and returns a `DatasetReport`.

Shared decisions:

- **Splits.** Every module names the split it scores. Tuning happens on train/dev splits
  only; the runner reports test splits. NLU++ has no split, so folds 0-9 are the
  development folds and 10-19 the reported ones.
- **Honest metrics.** A metric with nothing to count is None with a note saying why,
  never 0 or 1.
- **Misses carry their source text**, so the HTML report can show why each one happened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "eval-data"
"""Default location of the third-party evaluation data: `../shared/eval-data` from the repo root."""

Progress = Callable[[int, int], None]
"""Progress callback: (done, total)."""


class DatasetMissing(FileNotFoundError):
    """The dataset's files are not where the reader looked."""


class DatasetReport(BaseModel):
    """What one dataset run measured, with enough detail to explain every error."""

    dataset: str
    split: str
    engine: str
    metrics: dict[str, float | None]
    notes: dict[str, str] = Field(default_factory=dict)
    """Why a metric is None, or how it was computed when that is not obvious."""
    counts: dict[str, int] = Field(default_factory=dict)
    per_label: dict[str, dict[str, float | int | None]] | None = None
    """Per-class figures (per flag, per slot type): tp/fp/fn and precision/recall."""
    confusion: dict[str, dict[str, dict[str, int]]] = Field(default_factory=dict)
    """Named confusion matrices: name -> gold label -> predicted label -> count."""
    misses: list[dict[str, Any]] = Field(default_factory=list)
    """Every error, each with its source text."""
    sources: dict[str, str] = Field(default_factory=dict)
    """Full source texts by record id, for datasets whose misses point into longer documents."""
    abstention_curve: list[dict[str, float | None]] = Field(default_factory=list)
    """Abstention precision and recall at each answerability cut-off (`cutoff`, `precision`, `recall`,
    `shipped` 1.0 on the cut-off the answerer uses), for datasets whose answers carry answerability."""
    seconds: float | None = None


def dataset_dir(name: str, data_dir: Path | None = None) -> Path:
    """The folder of one dataset, or raise `DatasetMissing` naming where it looked.

    Args:
        name: Folder name under `eval-data`, e.g. `banking77`.
        data_dir: The `eval-data` folder; default `SHARED_DATA`.

    Returns:
        The existing folder.
    """
    folder = (data_dir or SHARED_DATA) / name
    if not folder.is_dir():
        raise DatasetMissing(f"{folder} not found: the evaluation data lives in shared/eval-data beside the repository")
    return folder


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def f1(precision: float | None, recall: float | None) -> float | None:
    """Harmonic mean, None when either side is None."""
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    """Counts with precision, recall and F1 (None where undefined)."""
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1(p, r)}


def prf_notes(prefix: str, tp: int, fp: int, fn: int) -> dict[str, str]:
    """Notes explaining None precision/recall for a tp/fp/fn triple."""
    notes = {}
    if tp + fp == 0:
        notes[f"{prefix}precision"] = "nothing was predicted positive"
    if tp + fn == 0:
        notes[f"{prefix}recall"] = "no gold positives"
    if tp + fp == 0 or tp + fn == 0:
        notes[f"{prefix}f1"] = "precision or recall undefined"
    return notes
