"""The regression gate: the rules engine's development scores, recorded in `evals/baseline.json`.

`compute_scores` runs the rules engine on the development and train splits only
(`evals.runner.BASELINE_SPLITS`): those are the splits engineers may look at and tune on,
so holding them is safe; test splits stay for reporting. `compare` lists every score that
fell more than `TOLERANCE` below its recorded value. `clientloop eval baseline --write`
regenerates the file: raising the baseline is a deliberate, reviewed commit.

To keep the gate fast, Banking77's 10,003 train queries are scored on a fixed, evenly
spaced sample (`GATE_OPTIONS`); the baseline is recorded on the same sample, so the two
numbers are always comparable. Metrics that are None (nothing to count) are not gated.
Counts-like figures are not gated either: only rates in [0, 1] where higher is better.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.runner import BASELINE_SPLITS, data_available, run

BASELINE_FILE = Path(__file__).resolve().parent / "baseline.json"
TOLERANCE = 0.005
GATE_OPTIONS: dict[str, dict[str, Any]] = {"banking77": {"limit": 2000}}
# Rates where lower is better, or that describe the data rather than the engine.
NOT_GATED = frozenset({"false_abstention_rate", "abstention_rate", "citation_precision_chance"})


def gated_metrics(metrics: dict[str, float | None]) -> dict[str, float]:
    """The metrics the gate holds: defined, higher-is-better rates.

    A label's precision is left out when its recall is undefined (no gold positives): it
    can only be 0 there, and a better engine that stops predicting the label would make it
    None, which must not read as a lost measurement.
    """
    return {
        k: round(v, 6) for k, v in metrics.items()
        if v is not None and k not in NOT_GATED
        and not (k.endswith("_precision") and metrics.get(k[: -len("_precision")] + "_recall", 0) is None)
    }


def score_dataset(name: str, *, data_dir: Path | None = None, embeddings: Any = None) -> dict[str, float]:
    """The gated scores of one dataset on its baseline split."""
    options = dict(GATE_OPTIONS.get(name, {}))
    report = run(name, engine="rules", split=BASELINE_SPLITS[name], data_dir=data_dir, **options)
    return gated_metrics(report.metrics)


def compute_scores(
    *, data_dir: Path | None = None, names: list[str] | None = None, on_step: Callable[[str], None] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Score every baseline dataset whose data is present.

    Returns:
        (dataset -> metric -> score, dataset -> why it was skipped).
    """
    scores: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    for name in names or list(BASELINE_SPLITS):
        why = data_available(name, data_dir)
        if why:
            skipped[name] = why
            continue
        if on_step:
            on_step(name)
        scores[name] = score_dataset(name, data_dir=data_dir)
    return scores, skipped


def load_baseline(path: Path = BASELINE_FILE) -> dict[str, dict[str, float]]:
    """The recorded scores (empty when there is no baseline file yet)."""
    if not path.exists():
        return {}
    return json.loads(path.read_text("utf-8"))["scores"]  # type: ignore[no-any-return]


def save_baseline(scores: dict[str, dict[str, float]], path: Path = BASELINE_FILE) -> None:
    """Write the baseline file (sorted keys, so diffs show exactly which score moved)."""
    document = {
        "about": "Rules-engine scores on development/train splits; `clientloop eval baseline --write` regenerates.",
        "splits": {name: BASELINE_SPLITS[name] for name in scores},
        "options": {name: GATE_OPTIONS[name] for name in scores if name in GATE_OPTIONS},
        "tolerance": TOLERANCE,
        "scores": scores,
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def compare(
    baseline: dict[str, dict[str, float]], scores: dict[str, dict[str, float]], *, tolerance: float = TOLERANCE
) -> list[str]:
    """Every score more than `tolerance` below its baseline, as readable lines.

    A metric in the baseline that is now None or missing counts as a drop too: silently
    losing a measurement must not pass the gate.
    """
    drops = []
    for name, recorded in baseline.items():
        if name not in scores:
            continue
        for metric, old in recorded.items():
            new = scores[name].get(metric)
            if new is None:
                drops.append(f"{name}.{metric}: was {old:.4f}, now not computed")
            elif new < old - tolerance:
                drops.append(f"{name}.{metric}: {new:.4f} < baseline {old:.4f} (tolerance {tolerance})")
    return drops
