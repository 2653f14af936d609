"""Banking77: sensitivity routing of single customer queries.

Gold flags come from the query's intent through `banking77_flags.yaml`, the project's own
mapping (kept apart from the dataset's labels; see the file's header for how it was
written). Predicted flags are the flag names `review.policy.apply_policy` raises on the
query text. Scores are per flag (precision, recall) plus micro totals over
(query, flag) pairs, and a flag confusion table: for each gold flag set, which flags the
policy raised.

Recall matters more than precision here, as for the review gate: a missed flag skips
human review. The policy was written for whole interactions; one-line queries ("my card
payment was declined") carry far less context, so this set measures how much the rules
catch from the wording alone.

Train is the development split; test is reported.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Set
from pathlib import Path
from typing import Any

import yaml

from evals.datasets import DatasetReport, Progress, dataset_dir, prf, prf_notes

NAME = "banking77"
MAPPING_FILE = Path(__file__).with_name("banking77_flags.yaml")
SPLITS = ("train", "test")
FLAGS = ("advice", "complaint", "money_movement", "fees_pricing", "account_terms", "vulnerable_customer", "tax_legal")


def load_mapping(path: Path = MAPPING_FILE) -> dict[str, frozenset[str]]:
    """Read the intent -> flags mapping and check every flag name.

    Args:
        path: The YAML mapping.

    Returns:
        Intent name to its set of flags.
    """
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    mapping = {}
    for intent, flags in raw.items():
        unknown = set(flags or []) - set(FLAGS)
        if unknown:
            raise ValueError(f"{path}: intent {intent!r} maps to unknown flags {sorted(unknown)}")
        mapping[str(intent)] = frozenset(flags or [])
    return mapping


def read_split(split: str, data_dir: Path | None = None) -> list[tuple[str, str]]:
    """Read one split as (query, intent) rows.

    Args:
        split: `train` or `test`.
        data_dir: The `eval-data` folder; default the shared one.

    Returns:
        The rows in file order.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    with (dataset_dir(NAME, data_dir) / f"{split}.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def _label(flags: Set[str]) -> str:
    return "+".join(sorted(flags)) or "(none)"


def evaluate(
    split: str = "test",
    *,
    data_dir: Path | None = None,
    engine: str = "rules",
    limit: int | None = None,
    on_progress: Progress | None = None,
) -> DatasetReport:
    """Per-flag precision and recall of the policy on one split against the mapped gold flags.

    Args:
        split: `train` (development) or `test` (reported).
        data_dir: The `eval-data` folder; default the shared one.
        engine: Only `rules`: the gate is deterministic whichever engine drafts.
        limit: Score only every n-th row so that about this many remain (for fast checks).
        on_progress: Called with (done, total).

    Returns:
        The report; misses list each query with its intent, gold and predicted flags.
    """
    from review.policy import apply_policy, default_policy

    if engine != "rules":
        raise ValueError(f"{NAME} scores the deterministic sensitivity policy; there is no {engine!r} gate")
    started = time.perf_counter()
    mapping = load_mapping()
    rows = read_split(split, data_dir)
    missing = {intent for _, intent in rows} - set(mapping)
    if missing:
        raise ValueError(f"{MAPPING_FILE.name} has no entry for intents {sorted(missing)}")
    if limit and len(rows) > limit:
        step = len(rows) / limit
        rows = [rows[int(i * step)] for i in range(limit)]
    policy = default_policy()
    counts = {flag: [0, 0, 0] for flag in FLAGS}
    confusion: dict[str, Counter[str]] = {}
    misses: list[dict[str, Any]] = []
    for i, (text, intent) in enumerate(rows, 1):
        gold = set(mapping[intent])
        raised = apply_policy(text, policy=policy)
        predicted = {f.flag for f in raised}
        for flag in gold | predicted:
            c = counts.setdefault(flag, [0, 0, 0])
            c[0 if flag in gold and flag in predicted else 1 if flag in predicted else 2] += 1
        confusion.setdefault(_label(gold), Counter())[_label(predicted)] += 1
        if gold != predicted:
            misses.append({
                "kind": "flags", "text": text, "intent": intent,
                "expected": sorted(gold), "predicted": sorted(predicted),
                "missed": sorted(gold - predicted), "extra": sorted(predicted - gold),
                "reasons": [f"{f.flag}: {f.rule_id} on {f.text!r}" for f in raised if f.flag not in gold],
            })
        if on_progress and (i % 100 == 0 or i == len(rows)):
            on_progress(i, len(rows))
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    totals = prf(tp, fp, fn)
    per_label = {flag: prf(*c) for flag, c in counts.items()}
    notes = prf_notes("flag_", tp, fp, fn)
    for flag, figures in per_label.items():
        if figures["recall"] is None:
            notes[f"{flag}_recall"] = "no query's intent maps to this flag"
    metrics: dict[str, float | None] = {
        "flag_precision": totals["precision"], "flag_recall": totals["recall"], "flag_f1": totals["f1"],
        "exact_set_rate": 1 - len(misses) / len(rows) if rows else None,
    }
    for flag in FLAGS:
        metrics[f"{flag}_precision"] = per_label[flag]["precision"]
        metrics[f"{flag}_recall"] = per_label[flag]["recall"]
    return DatasetReport(
        dataset=NAME, split=split if not limit else f"{split} (sample of {len(rows)})", engine=engine,
        metrics=metrics, notes=notes, counts={"queries": len(rows), "tp": tp, "fp": fp, "fn": fn},
        per_label=per_label, confusion={"flags": {g: dict(p) for g, p in confusion.items()}},
        misses=misses, seconds=time.perf_counter() - started,
    )
