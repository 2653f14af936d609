"""The regression gate: rules-engine scores on dev/train splits must not fall below evals/baseline.json.

Raising the baseline is deliberate: `clientloop eval baseline --write`, then commit the file.
"""

from __future__ import annotations

import pytest

from evals.baseline import TOLERANCE, compare, load_baseline, score_dataset
from evals.runner import BASELINE_SPLITS, data_available

BASELINE = load_baseline()


@pytest.mark.parametrize("name", list(BASELINE_SPLITS))
def test_scores_do_not_fall_below_baseline(name: str) -> None:
    if name not in BASELINE:
        pytest.skip(f"{name} has no baseline yet: run `clientloop eval baseline --write`")
    why = data_available(name)
    if why:
        pytest.skip(why)
    drops = compare({name: BASELINE[name]}, {name: score_dataset(name)}, tolerance=TOLERANCE)
    assert not drops, "scores fell below evals/baseline.json:\n" + "\n".join(drops)


def test_compare_flags_drops_and_lost_metrics_only() -> None:
    baseline = {"d": {"a": 0.8, "b": 0.5, "c": 0.9}}
    now = {"d": {"a": 0.797, "b": 0.49, "c": None}}
    drops = compare(baseline, now, tolerance=0.005)  # type: ignore[arg-type]
    assert len(drops) == 2 and drops[0].startswith("d.b") and "not computed" in drops[1]
    assert compare(baseline, {"d": {"a": 0.9, "b": 0.6, "c": 0.95}}) == []
