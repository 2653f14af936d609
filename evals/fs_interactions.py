"""Scorer for the fs-interactions evaluation set (extraction of purpose, actions and flags).

The scoring rules are the dataset README's "Scoring" section, implemented literally so that
numbers from this scorer agree with any other tool that follows it:

- a predicted action's evidence is located by exact substring search (first occurrence); one
  that is not a substring still counts as predicted, matches nothing, and lowers
  `evidence_exact_rate`;
- predicted and gold actions of one interaction pair one-to-one; a pair is a candidate when the
  spans overlap by at least one character; candidates are taken greedily by largest overlap,
  ties going to the earlier gold span;
- action precision/recall/F1 are micro (pooled over interactions);
- owner, owner side, due and type accuracy are over matched pairs; owners compare case-folded,
  trimmed, with a trailing " team" removed; a predicted date range scores by its end date;
- purpose accuracy is per interaction; flag precision/recall are micro over (interaction, flag).

A metric that cannot be computed (no matched pairs, no flagger) is None with a note, never 0:
a zero would claim a measurement that was not made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from pipeline.schemas import InteractionDraft

FLAGS = ("advice", "complaint", "money_movement", "fees_pricing", "account_terms", "vulnerable_customer", "tax_legal")

Engine = Callable[[dict[str, Any]], Any]
Flagger = Callable[[dict[str, Any]], set[str]]


class Miss(BaseModel):
    """One scoring error, with the text needed to see why."""

    record_id: str
    kind: Literal["false_positive", "false_negative", "wrong_field", "wrong_purpose", "flag_fp", "flag_fn"]
    field: str | None = Field(default=None, description="For wrong_field: owner, owner_side, due or type.")
    expected: str | None = None
    predicted: str | None = None
    evidence: str = Field(default="", description="The gold or predicted evidence span concerned.")


class RecordResult(BaseModel):
    """Per-interaction counts."""

    record_id: str
    gold_actions: int
    predicted_actions: int
    matched: int
    purpose_expected: str
    purpose_predicted: str | None
    flags_expected: list[str] = Field(default_factory=list)
    flags_predicted: list[str] | None = None


class EvalReport(BaseModel):
    """The scorer's output: metrics, notes on metrics that could not be computed, and every miss."""

    dataset: str
    engine: str
    metrics: dict[str, float | None]
    notes: dict[str, str] = Field(default_factory=dict)
    per_flag: dict[str, dict[str, float | int | None]] | None = None
    records: list[RecordResult] = Field(default_factory=list)
    misses: list[Miss] = Field(default_factory=list)


class _Predicted(BaseModel):
    owner: str = ""
    owner_side: str | None = None
    due: str | None = None
    type: str | None = None
    evidence: str = ""


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of interaction records."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def normalise_owner(owner: str | None) -> str:
    """Case-fold, trim and drop a trailing ' team', as the scoring rules require."""
    text = (owner or "").strip().casefold()
    if text.endswith(" team"):
        text = text[: -len(" team")].strip()
    return text


def _due_string(due: Any) -> str | None:
    """A due as YYYY-MM-DD (ranges by their end date) or None."""
    if due is None:
        return None
    if isinstance(due, str):
        return due or None
    if isinstance(due, date):
        return due.isoformat()
    if isinstance(due, dict):
        kind = due.get("kind")
        value = due.get("end") if kind == "range" else due.get("date")
        return _due_string(value)
    deadline = getattr(due, "deadline", None)
    return deadline.isoformat() if deadline else None


def _predicted_actions(output: Any) -> tuple[list[_Predicted], str | None]:
    """Accept an InteractionDraft or a plain dict {"actions": [...], "purpose": ...}."""
    if isinstance(output, InteractionDraft):
        actions = [
            _Predicted(owner=a.owner, owner_side=a.owner_side, due=_due_string(a.due), type=a.type,
                       evidence=a.evidence.text)
            for a in output.actions
        ]
        return actions, output.summary.purpose
    actions = []
    for a in output.get("actions", []):
        evidence = a.get("evidence", "")
        if isinstance(evidence, dict):
            evidence = evidence.get("text", "")
        actions.append(_Predicted(owner=a.get("owner", ""), owner_side=a.get("owner_side"),
                                  due=_due_string(a.get("due")), type=a.get("type"), evidence=evidence))
    purpose = output.get("purpose") or (output.get("summary") or {}).get("purpose")
    return actions, purpose


def _locate(text: str, span: str) -> tuple[int, int] | None:
    if not span:
        return None
    start = text.find(span)
    return (start, start + len(span)) if start >= 0 else None


def match_actions(
    text: str, gold: list[dict[str, Any]], predicted: list[_Predicted]
) -> list[tuple[int, int]]:
    """Pair gold and predicted actions one-to-one by greedy largest character overlap.

    Returns:
        (gold index, predicted index) pairs.
    """
    gold_spans = [_locate(text, g["evidence"]) for g in gold]
    pred_spans = [_locate(text, p.evidence) for p in predicted]
    candidates = []
    for gi, gs in enumerate(gold_spans):
        for pi, ps in enumerate(pred_spans):
            if gs is None or ps is None:
                continue
            overlap = min(gs[1], ps[1]) - max(gs[0], ps[0])
            if overlap >= 1:
                # Largest overlap first; ties to the earlier gold span, then the earlier prediction.
                candidates.append((-overlap, gs[0], gi, ps[0], pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, _, gi, _, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def shipped_draft(record: dict[str, Any], *, engine: str = "rules", container: Any = None) -> Any:
    """Draft one record exactly as `clientloop draft` does; returns the `DraftOutcome`.

    The record's text goes through the upload loader as a `.txt` file (what an RM saving
    the interaction would upload), then through `clientloop.interactions.draft_interaction`,
    the function the drafting worker calls: one engine choice, one fallback, always grounded.
    """
    from clientloop.container import Container
    from clientloop.interactions import draft_interaction, load_interaction
    from pipeline.drafting import DraftRequest
    from pipeline.schemas import Participant

    box = container or _default_container()
    doc = load_interaction(record["text"].encode("utf-8"), f"{record['id']}.txt", record["kind"],
                           box.settings.max_upload_bytes)
    request = DraftRequest(
        text=doc.text, kind=record["kind"], occurred_at=datetime.fromisoformat(record["occurred_at"]),
        participants=[Participant(**p) for p in record.get("participants", [])],
        client=record["client"]["name"], engine=engine,  # type: ignore[arg-type]
    )
    assert isinstance(box, Container)
    return draft_interaction(box, request)


def rules_engine(record: dict[str, Any]) -> InteractionDraft:
    """The rules engine's grounded draft of one record, through the shipped drafting path."""
    return shipped_draft(record).draft  # type: ignore[no-any-return]


def shipped_flags(record: dict[str, Any], draft: InteractionDraft | None = None) -> set[str]:
    """The flags the review gate raises on a record: the policy on the source and on the draft."""
    from review.gate import draft_fields, policy_flags

    drafted = draft if draft is not None else rules_engine(record)
    fields = draft_fields(drafted.model_dump(mode="json"))
    return {f["flag"] for f in policy_flags(source_text=record["text"], fields=fields)}


_CONTAINER: Any = None


def _default_container() -> Any:
    # Drafting needs no database or vector store; one settings-only container serves every record.
    global _CONTAINER
    if _CONTAINER is None:
        from clientloop.container import Container

        _CONTAINER = Container()
    return _CONTAINER


_ENGINES: dict[str, Engine] = {"rules": rules_engine}
_FIELDS = ("owner", "owner_side", "due", "type")


@dataclass
class _Tally:
    """Counts pooled over every record, the per-record results and every miss."""

    records: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    exact: int = 0
    purpose_hits: int = 0
    field_hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))
    per_flag: dict[str, dict[str, int]] = field(
        default_factory=lambda: {flag: {"tp": 0, "fp": 0, "fn": 0} for flag in FLAGS})
    results: list[RecordResult] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    def flag_total(self, kind: str) -> int:
        return sum(counts[kind] for counts in self.per_flag.values())


def _engine(engine: str | Engine) -> tuple[str, Engine]:
    if not isinstance(engine, str):
        return getattr(engine, "__name__", "custom"), engine
    if engine not in _ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {sorted(_ENGINES)} or a callable")
    return engine, _ENGINES[engine]


def _score_actions(record: dict[str, Any], predicted: list[_Predicted], tally: _Tally) -> int:
    """Pair and compare one record's actions; returns the number of matched pairs."""
    text, rid = record["text"], record["id"]
    gold = record["gold"].get("actions", [])
    pairs = match_actions(text, gold, predicted)
    tally.gold += len(gold)
    tally.predicted += len(predicted)
    tally.matched += len(pairs)
    tally.exact += sum(1 for p in predicted if _locate(text, p.evidence) is not None)
    for gi, pi in pairs:
        g, p = gold[gi], predicted[pi]
        comparisons = {
            "owner": (normalise_owner(g["owner"]), normalise_owner(p.owner), g["owner"], p.owner),
            "owner_side": (g["owner_side"], p.owner_side, g["owner_side"], p.owner_side),
            "due": (g.get("due"), p.due, g.get("due"), p.due),
            "type": (g["type"], p.type, g["type"], p.type),
        }
        for name, (expected_key, predicted_key, expected, got) in comparisons.items():
            if expected_key == predicted_key:
                tally.field_hits[name] += 1
            else:
                tally.misses.append(Miss(record_id=rid, kind="wrong_field", field=name, expected=expected,
                                         predicted=got, evidence=g["evidence"]))
    matched_gold, matched_pred = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
    tally.misses += [Miss(record_id=rid, kind="false_negative", expected=g["owner"], evidence=g["evidence"])
                     for gi, g in enumerate(gold) if gi not in matched_gold]
    tally.misses += [Miss(record_id=rid, kind="false_positive", predicted=p.owner, evidence=p.evidence)
                     for pi, p in enumerate(predicted) if pi not in matched_pred]
    return len(pairs)


def _score_flags(record_id: str, expected: set[str], predicted: set[str], tally: _Tally) -> None:
    for flag in expected | predicted:
        counts = tally.per_flag.setdefault(flag, {"tp": 0, "fp": 0, "fn": 0})
        if flag in expected and flag in predicted:
            counts["tp"] += 1
        elif flag in predicted:
            counts["fp"] += 1
            tally.misses.append(Miss(record_id=record_id, kind="flag_fp", predicted=flag))
        else:
            counts["fn"] += 1
            tally.misses.append(Miss(record_id=record_id, kind="flag_fn", expected=flag))


def _score_record(record: dict[str, Any], output: Any, flagger: Flagger | None, tally: _Tally) -> None:
    gold = record["gold"]
    predicted, purpose = _predicted_actions(output)
    tally.records += 1
    matched = _score_actions(record, predicted, tally)
    if purpose == gold.get("purpose"):
        tally.purpose_hits += 1
    else:
        tally.misses.append(Miss(record_id=record["id"], kind="wrong_purpose", expected=gold.get("purpose"),
                                 predicted=purpose))
    expected_flags = set(gold.get("sensitivity", []))
    predicted_flags: set[str] | None = set(flagger(record)) if flagger else None
    if predicted_flags is not None:
        _score_flags(record["id"], expected_flags, predicted_flags, tally)
    tally.results.append(RecordResult(
        record_id=record["id"], gold_actions=len(gold.get("actions", [])), predicted_actions=len(predicted),
        matched=matched, purpose_expected=gold.get("purpose", ""), purpose_predicted=purpose,
        flags_expected=sorted(expected_flags),
        flags_predicted=sorted(predicted_flags) if predicted_flags is not None else None,
    ))


def _action_metrics(tally: _Tally, notes: dict[str, str]) -> dict[str, float | None]:
    precision = _ratio(tally.matched, tally.predicted)
    recall = _ratio(tally.matched, tally.gold)
    metrics: dict[str, float | None] = {
        "action_precision": precision,
        "action_recall": recall,
        "action_f1": _f1(precision, recall),
    }
    if precision is None:
        notes["action_precision"] = "no predicted actions"
    if recall is None:
        notes["action_recall"] = "no gold actions"
    for name in _FIELDS:
        metrics[f"{name}_accuracy"] = _ratio(tally.field_hits[name], tally.matched)
        if not tally.matched:
            notes[f"{name}_accuracy"] = "no matched action pairs"
    metrics["purpose_accuracy"] = _ratio(tally.purpose_hits, tally.records)
    metrics["evidence_exact_rate"] = _ratio(tally.exact, tally.predicted)
    if not tally.predicted:
        notes["evidence_exact_rate"] = "no predicted actions"
    return metrics


def _flag_metrics(tally: _Tally, notes: dict[str, str]) -> tuple[dict[str, float | None],
                                                                  dict[str, dict[str, float | int | None]]]:
    tp, fp, fn = tally.flag_total("tp"), tally.flag_total("fp"), tally.flag_total("fn")
    metrics = {"flag_precision": _ratio(tp, tp + fp), "flag_recall": _ratio(tp, tp + fn)}
    if tp + fp == 0:
        notes["flag_precision"] = "no flags predicted"
    if tp + fn == 0:
        notes["flag_recall"] = "no gold flags"
    per_flag: dict[str, dict[str, float | int | None]] = {
        flag: {
            **counts,
            "precision": _ratio(counts["tp"], counts["tp"] + counts["fp"]),
            "recall": _ratio(counts["tp"], counts["tp"] + counts["fn"]),
        }
        for flag, counts in tally.per_flag.items()
    }
    return metrics, per_flag


def evaluate_records(
    records: Iterable[dict[str, Any]],
    *,
    engine: str | Engine = "rules",
    flagger: Flagger | None = None,
    dataset: str = "fs-interactions",
) -> EvalReport:
    """Score an engine (and optionally a flagger) on records in the fs-interactions format.

    Args:
        records: Parsed records, each with `text`, `gold` and the interaction metadata.
        engine: "rules" or a callable `record -> InteractionDraft | {"actions": [...], "purpose": ...}`.
        flagger: Optional callable `record -> set of flags`; without it flag metrics are None.
        dataset: Name shown in the report.

    Returns:
        The report with metrics, per-record results and every miss.
    """
    engine_name, run = _engine(engine)
    tally = _Tally()
    for record in records:
        _score_record(record, run(record), flagger, tally)
    notes: dict[str, str] = {}
    metrics = _action_metrics(tally, notes)
    per_flag = None
    if flagger is None:
        metrics["flag_precision"] = metrics["flag_recall"] = None
        notes["flag_precision"] = notes["flag_recall"] = "no flagger supplied; flags were not scored"
    else:
        flag_metrics, per_flag = _flag_metrics(tally, notes)
        metrics |= flag_metrics
    return EvalReport(dataset=dataset, engine=engine_name, metrics=metrics, notes=notes, per_flag=per_flag,
                      records=tally.results, misses=tally.misses)


def evaluate_file(path: str | Path, *, engine: str | Engine = "rules", flagger: Flagger | None = None) -> EvalReport:
    """Score an engine on a JSONL file in the fs-interactions format (see `evaluate_records`)."""
    return evaluate_records(read_records(path), engine=engine, flagger=flagger, dataset=Path(path).name)
