"""Enron email intent: does an email sentence ask the reader to act?

Scored through the drafting engine's own detector, not a separate classifier:
`is_request` cuts the sentence with the engine's clause splitter (`note_clauses`, one line
spoken by an unknown author) and asks `pipeline.rules.commitments.detect` about each
clause, as written text (`written=True`: emails are written, so bare imperatives count).

Adapter decisions (made on the train split only):

- Only detections of kind `request` count. The dataset's "Yes" means the sentence asks the
  reader to do something; the engine's `commitment` ("I'll send...") and `third_party`
  ("Arjun will...") kinds state the writer's or someone else's work, not an ask of the reader.
- The detector runs in its loose mode (`detect(loose=True)`). The labelling guide of the
  fs-interactions set, which the drafting engine follows, leaves out vague asks ("let me
  know if this works"), conditional asks ("if you're free, give me a call"), courtesies and
  meeting proposals; this set counts them, and counts a direct question to the reader as an
  ask for a reply. Loose mode keeps the same patterns and adds those signals; the engine never
  uses it. `strict_*` metrics report the engine's own mode on the same sentences.

Marketing mail is labelled inconsistently in this set ("click here" is sometimes "Yes",
sometimes "No"); standing offers of help and mailing-list housekeeping are left out in both modes.
"""

from __future__ import annotations

import time
from pathlib import Path

from evals.datasets import DatasetReport, Progress, dataset_dir, prf, prf_notes

NAME = "enron-email-intent"
SPLITS = ("train", "test")


def read_split(split: str, data_dir: Path | None = None) -> list[tuple[bool, str]]:
    """Read one split as (is "Yes", sentence) pairs.

    Args:
        split: `train` or `test`.
        data_dir: The `eval-data` folder; default the shared one.

    Returns:
        The labelled sentences, in file order.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    path = dataset_dir(NAME, data_dir) / f"{split}.tsv"
    rows = []
    # The README warns of a few mis-encoded characters: replace them rather than fail.
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        label, _, sentence = line.partition("\t")
        rows.append((label.strip() == "Yes", sentence.strip()))
    return rows


def is_request(sentence: str, *, loose: bool = True) -> bool:
    """True when the rules engine's detector finds a request to the reader in the sentence.

    Args:
        sentence: One email sentence.
        loose: Use the detector's sentence-intent mode (`detect(loose=True)`, the default
            here); False scores exactly what the drafting engine would treat as a request.

    Returns:
        Whether any clause of it is detected as a `request`.
    """
    from pipeline.rules import commitments
    from pipeline.rules.turns import note_clauses

    clauses = [c.text for c in note_clauses(sentence.replace("\n", " "), None)] or [sentence]
    for clause in clauses:
        detection = commitments.detect(clause, written=True, loose=loose)
        if detection is not None and detection.kind == "request":
            return True
    return False


def evaluate(
    split: str = "test", *, data_dir: Path | None = None, engine: str = "rules", on_progress: Progress | None = None,
) -> DatasetReport:
    """Precision, recall and F1 of request detection on one split.

    Args:
        split: `train` (development) or `test` (reported).
        data_dir: The `eval-data` folder; default the shared one.
        engine: Only `rules`: the LLM engine has no sentence-level detector to call.
        on_progress: Called with (done, total).

    Returns:
        The report; misses are every false positive and false negative with its sentence.
    """
    if engine != "rules":
        raise ValueError(f"{NAME} scores the rules engine's request detector; engine {engine!r} has none")
    started = time.perf_counter()
    rows = read_split(split, data_dir)
    tp = fp = fn = tn = 0
    strict = {"tp": 0, "fp": 0, "fn": 0}
    misses = []
    for i, (gold, sentence) in enumerate(rows, 1):
        predicted = is_request(sentence)
        strictly = is_request(sentence, loose=False)
        if strictly:
            strict["tp" if gold else "fp"] += 1
        elif gold:
            strict["fn"] += 1
        if gold and predicted:
            tp += 1
        elif predicted:
            fp += 1
            misses.append({"kind": "false_positive", "expected": "No", "predicted": "Yes", "text": sentence})
        elif gold:
            fn += 1
            misses.append({"kind": "false_negative", "expected": "Yes", "predicted": "No", "text": sentence})
        else:
            tn += 1
        if on_progress and (i % 50 == 0 or i == len(rows)):
            on_progress(i, len(rows))
    scores = prf(tp, fp, fn)
    strict_scores = prf(strict["tp"], strict["fp"], strict["fn"])
    return DatasetReport(
        dataset=NAME, split=split, engine=engine,
        metrics={"precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"],
                 "accuracy": (tp + tn) / len(rows) if rows else None,
                 "strict_precision": strict_scores["precision"], "strict_recall": strict_scores["recall"],
                 "strict_f1": strict_scores["f1"]},
        notes={**prf_notes("", tp, fp, fn), **prf_notes("strict_", strict["tp"], strict["fp"], strict["fn"])},
        counts={"sentences": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                "strict_tp": strict["tp"], "strict_fp": strict["fp"], "strict_fn": strict["fn"]},
        confusion={"request": {"Yes": {"Yes": tp, "No": fn}, "No": {"Yes": fp, "No": tn}}},
        misses=misses, seconds=time.perf_counter() - started,
    )
