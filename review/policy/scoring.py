"""Scoring the policy on labelled records: micro precision and recall over (interaction, flag) pairs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from review.flags import FLAG_NAMES
from review.policy.engine import apply_policy
from review.policy.spec import Policy


def flags_for_record(record: Mapping[str, Any], *, policy: Policy | None = None) -> set[str]:
    """The flag names the policy raises on an evaluation record's `text`."""
    return {f.flag for f in apply_policy(record["text"], policy=policy)}


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def score_flags(
    records: Iterable[Mapping[str, Any]],
    *,
    predict: Callable[[Mapping[str, Any]], set[str]] = flags_for_record,
) -> dict[str, Any]:
    """Micro precision and recall over (interaction, flag) pairs, with a per-flag breakdown.

    Args:
        records: Evaluation records with `text` and `gold.sensitivity`.
        predict: Returns the predicted flag names for one record.

    Returns:
        `{"precision", "recall", "f1", "tp", "fp", "fn", "per_flag": {flag: {...}},
        "errors": [{"id", "missed", "extra"}]}`.
    """
    counts: dict[str, list[int]] = {name: [0, 0, 0] for name in FLAG_NAMES}
    errors = []
    for record in records:
        gold = set(record["gold"]["sensitivity"])
        pred = set(predict(record))
        for name in gold | pred:
            c = counts.setdefault(name, [0, 0, 0])
            c[0 if name in gold and name in pred else 1 if name in pred else 2] += 1
        if gold != pred:
            errors.append({"id": record.get("id"), "missed": sorted(gold - pred), "extra": sorted(pred - gold)})
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    result = _prf(tp, fp, fn)
    result["per_flag"] = {name: _prf(*c) for name, c in counts.items()}
    result["errors"] = errors
    return result
