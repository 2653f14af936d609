"""The evaluation runner: every dataset behind one function, as `DatasetReport`s.

`run(name, engine=..., split=...)` scores one dataset; `run_all` scores them all. The
default split of each dataset is the one that is *reported* (test splits; the fs sets
have only a development file here and the project's own fresh set). `BASELINE_SPLITS`
names the development/train splits that the regression gate (`evals/baseline.json`)
holds, because those are what engineers may tune against.

Engines: everything supports `rules`. `llm` is accepted where the product has an LLM
path for that task (fs-interactions drafting, kb-questions answering); other datasets
say so with `EngineNotSupported` rather than silently scoring the rules engine.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.datasets import SHARED_DATA, DatasetMissing, DatasetReport, Progress, dataset_dir

REPO = Path(__file__).resolve().parents[1]
FS_FRESH = REPO / "evals" / "data" / "fs-fresh.jsonl"
"""Written for the project by a writer who had not seen the engines; later used to tune them."""
FS_FRESH2 = REPO / "evals" / "data" / "fs-fresh2.jsonl"
"""Written later by another writer who saw neither the engines nor fs-fresh; never tuned on."""
FRESH_SETS = {"fs-fresh": (FS_FRESH, "all (tuned on)"), "fs-fresh2": (FS_FRESH2, "all (out-of-sample)")}

DATASETS = ("fs-interactions", "fs-fresh", "fs-fresh2", "kb-questions", "enron-email-intent", "nlupp-banking",
            "banking77", "banking77-themes", "qmsum-ami")
"""Every dataset the runner knows, in report order."""
ENGINES: dict[str, tuple[str, ...]] = {
    "fs-interactions": ("rules", "llm"), "fs-fresh": ("rules", "llm"), "fs-fresh2": ("rules", "llm"),
    "kb-questions": ("rules", "llm"),
    "enron-email-intent": ("rules",), "nlupp-banking": ("rules",), "banking77": ("rules",), "qmsum-ami": ("rules",),
    "banking77-themes": ("rules",),
}
REPORT_SPLITS = {
    "fs-interactions": "dev", "fs-fresh": "all", "fs-fresh2": "all", "kb-questions": "test",
    "enron-email-intent": "test",
    "nlupp-banking": "test", "banking77": "test", "qmsum-ami": "test", "banking77-themes": "test",
}
BASELINE_SPLITS = {
    "fs-interactions": "dev", "fs-fresh": "all", "kb-questions": "demo", "enron-email-intent": "train",
    "nlupp-banking": "dev", "banking77": "train",
}
"""What the regression gate records: development and train splits only (qmsum-ami has only test)."""


class EngineNotSupported(ValueError):
    """The dataset has no use for the requested engine."""


def _fs_engine(engine: str, container: Any = None) -> tuple[Callable[[dict[str, Any]], Any], Counter[str]]:
    """The drafting callable for fs records, with a counter of LLM fallbacks."""
    from evals.fs_interactions import rules_engine

    fallbacks: Counter[str] = Counter()
    if engine == "rules":
        return rules_engine, fallbacks

    from evals.fs_interactions import shipped_draft

    def llm_engine(record: dict[str, Any]) -> Any:
        outcome = shipped_draft(record, engine="llm", container=container)
        fallbacks["fallback" if outcome.fallback else "llm"] += 1
        return outcome.draft

    return llm_engine, fallbacks


def _fs_report(
    name: str, path: Path, split: str, engine: str, on_progress: Progress | None = None
) -> DatasetReport:
    """Score an fs-format file and add the confusion matrices the report shows."""
    from evals.fs_interactions import _predicted_actions, evaluate_records, match_actions, read_records, shipped_flags
    from review.policy import apply_policy

    started = time.perf_counter()
    records = read_records(path)
    run, fallbacks = _fs_engine(engine)
    outputs: dict[str, Any] = {}

    def cached(record: dict[str, Any]) -> Any:
        outputs[record["id"]] = run(record)
        if on_progress:
            on_progress(len(outputs), len(records))
        return outputs[record["id"]]

    report = evaluate_records(records, engine=cached,
                              flagger=lambda r: shipped_flags(r, outputs.get(r["id"])), dataset=name)
    type_confusion: dict[str, Counter[str]] = {}
    for record in records:
        predicted, _ = _predicted_actions(outputs[record["id"]])
        gold = record["gold"].get("actions", [])
        for gi, pi in match_actions(record["text"], gold, predicted):
            type_confusion.setdefault(gold[gi]["type"], Counter())[predicted[pi].type or "(none)"] += 1
    purpose_confusion: dict[str, Counter[str]] = {}
    flag_confusion: dict[str, Counter[str]] = {}
    for r in report.records:
        purpose_confusion.setdefault(r.purpose_expected, Counter())[r.purpose_predicted or "(none)"] += 1
        predicted_flags = set(r.flags_predicted or [])
        for flag in r.flags_expected:
            flag_confusion.setdefault(flag, Counter())[flag if flag in predicted_flags else "(missed)"] += 1
        for flag in predicted_flags - set(r.flags_expected):
            flag_confusion.setdefault("(not in gold)", Counter())[flag] += 1
    by_id = {r["id"]: r for r in records}
    misses = []
    for m in report.misses:
        row: dict[str, Any] = {"record_id": m.record_id, "kind": m.kind, "field": m.field, "expected": m.expected,
                               "predicted": m.predicted, "text": m.evidence}
        if m.kind == "flag_fp":
            spans = [f"{f.rule_id}: {f.text!r}" for f in apply_policy(by_id[m.record_id]["text"])
                     if f.flag == m.predicted]
            row["text"] = "; ".join(spans[:3])
        misses.append(row)
    notes = dict(report.notes)
    metrics = dict(report.metrics)
    _summary_scores(records, outputs, metrics, notes)
    if engine == "llm":
        notes["engine"] = (f"{fallbacks['fallback']} of {len(records)} drafts fell back to the rules engine "
                           "(model unavailable or invalid output)")
    return DatasetReport(
        dataset=name, split=split, engine=engine, metrics=metrics, notes=notes,
        counts={"interactions": len(records), "gold_actions": sum(r.gold_actions for r in report.records),
                "predicted_actions": sum(r.predicted_actions for r in report.records),
                "matched_actions": sum(r.matched for r in report.records)},
        per_label={k: dict(v) for k, v in (report.per_flag or {}).items()} or None,
        confusion={"action type (matched pairs)": {g: dict(c) for g, c in type_confusion.items()},
                   "purpose": {g: dict(c) for g, c in purpose_confusion.items()},
                   "flags": {g: dict(c) for g, c in flag_confusion.items()}},
        misses=misses, sources={r["id"]: r["text"] for r in records}, seconds=time.perf_counter() - started,
    )


def _summary_scores(records: list[dict[str, Any]], outputs: dict[str, Any], metrics: dict[str, float | None],
                    notes: dict[str, str]) -> None:
    """Add client-asks and decisions recall (by embedding similarity) and the description-quality rate."""
    from evals.summary_quality import SIMILARITY_THRESHOLD, default_embed, description_quality, phrase_recall

    drafts = [outputs[r["id"]] for r in records]
    embed = default_embed()
    for field in ("client_asks", "decisions"):
        pairs = [(r["gold"].get(field) or [], list(getattr(d.summary, field, None) or [])) for r, d in zip(
            records, drafts, strict=True)]
        recall, found, total = phrase_recall(pairs, embed)
        metrics[f"{field}_recall"] = recall
        notes[f"{field}_recall"] = (f"{found} of {total} gold phrases found by a drafted phrase at cosine >= "
                                    f"{SIMILARITY_THRESHOLD} (local MiniLM; threshold calibrated on dev)")
    rate, faults = description_quality(a.description for d in drafts for a in d.actions)
    metrics["description_quality_rate"] = rate
    notes["description_quality_rate"] = "faults: " + (", ".join(f"{k} {v}" for k, v in faults.most_common())
                                                      or "none")


KB_SPLITS = {"demo": None, "train": {"train"}, "dev": {"dev"}, "test": {"test"}, "train+dev": {"train", "dev"},
             "fresh": {"fresh"}}
"""kb-questions splits: `demo` is the 58-question demo set (development data); `fresh` the second blind
set `evals/data/kb-fresh.jsonl` (never tuned on); the others are splits of the blind set
`evals/data/kb-questions.jsonl` (tune on train and dev, report on test)."""


def _kb_report(engine: str, split: str, on_progress: Progress | None = None) -> DatasetReport:
    from clientloop.container import Container
    from clientloop.ingest import ingest_paths
    from clientloop.settings import get_settings
    from evals.kb_questions import (
        BLIND_QUESTIONS,
        DEFAULT_QUESTIONS,
        FRESH_QUESTIONS,
        evaluate_kb_questions,
        load_questions,
    )

    if split not in KB_SPLITS:
        raise DatasetMissing(f"kb-questions has no split {split!r}; expected one of {', '.join(KB_SPLITS)}")
    started = time.perf_counter()
    kb = REPO / "clientloop" / "demo_data" / "kb"
    chosen = KB_SPLITS[split]
    source = DEFAULT_QUESTIONS if chosen is None else FRESH_QUESTIONS if split == "fresh" else BLIND_QUESTIONS
    if not source.exists():
        raise DatasetMissing(f"kb-questions split {split!r} needs {source}, which is missing")
    questions = load_questions(source, splits=chosen)
    with tempfile.TemporaryDirectory() as tmp:
        settings = get_settings().model_copy(update={"data_dir": Path(tmp), "database_url": None,
                                                     "chroma_mode": "embedded", "chroma_path": None})
        container = Container(settings)
        ingest_paths(container, [kb], kind="kb")
        report = evaluate_kb_questions(container, questions, engine=engine, compare_retrieval=True,
                                       on_progress=on_progress)
        container.engine.dispose()
    misses = []
    for r in report.results:
        ok = r.abstained if r.expected is None else bool(r.citation_correct)
        if not ok:
            misses.append({"record_id": r.id, "kind": "wrong_abstention" if r.expected is None or r.abstained
                           else "wrong_citation", "expected": r.expected or "(abstain)",
                           "predicted": "(abstained)" if r.abstained else ", ".join(r.cited),
                           "text": f"Q: {r.question}\nA: {r.answer}"})
    metrics = {k: v for k, v in report.metrics.items() if k != "questions"}
    notes = dict(report.notes)
    for name, value in metrics.items():
        if value is None:
            notes.setdefault(name, "nothing to count in this question set")
    from knowledge.answerability import DEFAULT_CUTOFF

    curve = [{**p, "shipped": 1.0 if abs((p["cutoff"] or 0) - DEFAULT_CUTOFF) < 1e-9 else 0.0}
             for p in report.abstention_curve]
    if curve:
        notes["abstention_curve"] = (f"abstain when the answerability estimate is below the cut-off; the answerer "
                                     f"uses {DEFAULT_CUTOFF} (chosen on dev)")
    return DatasetReport(dataset="kb-questions", split=split, engine=engine, metrics=metrics, notes=notes,
                         counts={"questions": len(report.results)}, abstention_curve=curve, misses=misses,
                         seconds=time.perf_counter() - started)


def run(
    name: str,
    *,
    engine: str = "rules",
    split: str | None = None,
    data_dir: Path | None = None,
    fs_path: Path | None = None,
    on_progress: Progress | None = None,
    **options: Any,
) -> DatasetReport:
    """Score one dataset.

    Args:
        name: One of `DATASETS`.
        engine: `rules` or `llm` (where `ENGINES` allows it).
        split: Which split; default the reported one (`REPORT_SPLITS`).
        data_dir: The `eval-data` folder; default `../shared/eval-data`.
        fs_path: For fs-interactions, a JSONL file to score instead of the shared dev file.
        on_progress: Called with (done, total).
        **options: Passed to the dataset's `evaluate` (e.g. `limit` for banking77, `meetings` for qmsum-ami).

    Returns:
        The dataset's report.

    Raises:
        EngineNotSupported: the dataset cannot use that engine.
        DatasetMissing: the data is not there.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    if engine not in ENGINES[name]:
        raise EngineNotSupported(f"{name} cannot be scored with the {engine!r} engine; it supports: "
                                 f"{', '.join(ENGINES[name])}")
    split = split or REPORT_SPLITS[name]
    if name == "fs-interactions":
        path = fs_path or dataset_dir("fs-interactions", data_dir) / f"{split}.jsonl"
        if not path.exists():
            raise DatasetMissing(f"{path} not found")
        return _fs_report(name, path, path.stem, engine, on_progress)
    if name in FRESH_SETS:
        path, label = FRESH_SETS[name]
        return _fs_report(name, path, label, engine, on_progress)
    if name == "kb-questions":
        return _kb_report(engine, split, on_progress)
    if name == "enron-email-intent":
        from evals.datasets import enron as module
    elif name == "nlupp-banking":
        from evals.datasets import nlupp as module  # type: ignore[no-redef]
    elif name == "banking77":
        from evals.datasets import banking77 as module  # type: ignore[no-redef]
    elif name == "banking77-themes":
        from evals.datasets import banking77_themes as module  # type: ignore[no-redef]
    else:
        from evals.datasets import qmsum as module  # type: ignore[no-redef]
    return module.evaluate(split, data_dir=data_dir, engine=engine, on_progress=on_progress, **options)


def data_available(name: str, data_dir: Path | None = None) -> str | None:
    """None when the dataset's files are present, else why not (for skips and CLI messages)."""
    folders = {"fs-interactions": "fs-interactions", "enron-email-intent": "enron-email-intent",
               "nlupp-banking": "nlupp-banking", "banking77": "banking77", "qmsum-ami": "qmsum-ami",
               "banking77-themes": "banking77"}
    if name in folders:
        folder = (data_dir or SHARED_DATA) / folders[name]
        return None if folder.is_dir() else f"{folder} is not present (shared evaluation data beside the repository)"
    if name in FRESH_SETS and not FRESH_SETS[name][0].exists():
        return f"{FRESH_SETS[name][0]} is missing"
    return None
