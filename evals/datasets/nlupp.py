"""NLU++ banking: resolving dates, periods and amounts against the data's reference time.

Dates and periods go through the product's own resolver, `pipeline.dates.find_dates`, in its
`calendar` convention (the one NLU++ labels follow: past references resolve backwards, weeks,
months, quarters and years are ranges), with the reference date 2022-03-15 (the dataset's "now"
is 2022-03-15 09:00; the resolver works in days). Amounts go through
`pipeline.amounts.find_amounts`.

How a gold slot is scored:

- the predicted mention is the first one whose character span overlaps the gold span;
- **coverage** is the share of gold slots for which we produced any value (a dated
  mention for dates and periods, an amount for money);
- **accuracy** is the share of all gold slots whose value is exactly right; the share
  among covered slots is reported too, so a cautious resolver and a wrong one look
  different;
- `date`: the resolved day equals the gold day. NLU++ gives a period named in a date slot
  its first day ("last month" as a date is 1 February), so a predicted range scores by its
  start;
- `date_period`: only gold periods of type `absolute` have a start and end to compare. A
  period is exact when we return a range with the same start and end. NLU++ writes one
  calendar unit ("this month", "last week") with its last day, but a counted span ("the
  last 4 months", "last 3 days", "next few days") as a half-open interval whose `to` is the
  day after the span (Duckling's interval end): our `rolling` ranges, whose end is the last
  day, are compared with their end plus one day;
- `amount_of_money`: the amount equal to the cent; currency is scored separately where
  the gold currency is not `ambiguous`.

Folds 0-9 are the development folds (the amount cues and the date and period rows were written
from them); folds 10-19 are reported.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from evals.datasets import DatasetReport, Progress, dataset_dir, ratio

NAME = "nlupp-banking"
REFERENCE = date(2022, 3, 15)
"""The dataset's reference time is 2022-03-15 09:00; the date resolver works in days."""
DEV_FOLDS = tuple(range(10))
TEST_FOLDS = tuple(range(10, 20))
SPLITS = {"dev": DEV_FOLDS, "test": TEST_FOLDS}


def read_folds(folds: tuple[int, ...], data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Read NLU++ banking items from the given folds, each tagged with its fold.

    Args:
        folds: Fold numbers 0-19.
        data_dir: The `eval-data` folder; default the shared one.

    Returns:
        The items (`text`, optional `intents`, optional `slots`, plus `fold`).
    """
    folder = dataset_dir(NAME, data_dir) / "banking"
    items = []
    for fold in folds:
        for item in json.loads((folder / f"fold{fold}.json").read_text("utf-8")):
            items.append({**item, "fold": fold})
    return items


def _day(value: dict[str, int] | None) -> date | None:
    if not value or not all(k in value for k in ("year", "month", "day")):
        return None
    return date(value["year"], value["month"], value["day"])


def _overlapping(mentions: list[Any], span: list[int]) -> Any | None:
    return next((m for m in mentions if m.start < span[1] and span[0] < m.end), None)


class _Tally:
    def __init__(self) -> None:
        self.gold = self.covered = self.exact = 0

    def metrics(self, prefix: str) -> dict[str, float | None]:
        return {
            f"{prefix}_coverage": ratio(self.covered, self.gold),
            f"{prefix}_accuracy": ratio(self.exact, self.gold),
            f"{prefix}_accuracy_when_covered": ratio(self.exact, self.covered),
        }


@dataclass
class _Scores:
    """Every count of one split, and every miss."""

    dates: _Tally = field(default_factory=_Tally)
    periods: _Tally = field(default_factory=_Tally)
    amounts: _Tally = field(default_factory=_Tally)
    currency_gold: int = 0
    currency_hits: int = 0
    period_ranges: int = 0
    period_types_skipped: int = 0
    predicted_amounts: int = 0
    matched_amounts: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)


def _score_date(item: dict[str, Any], slot: dict[str, Any], mentions: list[Any], scores: _Scores) -> None:
    gold = _day(slot.get("value"))
    mention = _overlapping(mentions, slot["span"])
    scores.dates.gold += 1
    due = mention.due if mention else None
    got = None if due is None else due.start if due.kind == "range" else due.date
    scores.dates.covered += got is not None
    if got is not None and got == gold:
        scores.dates.exact += 1
    else:
        scores.misses.append(
            {
                "kind": "date",
                "text": item["text"],
                "span": slot["text"],
                "expected": str(gold),
                "predicted": str(got) if got else None,
                "fold": item["fold"],
            }
        )


def _period_bounds(due: Any) -> tuple[date | None, date | None]:
    """A range as NLU++ writes it: a counted span ends on the day after it (see the module docstring)."""
    if due.range_kind == "rolling":
        return due.start, due.end + timedelta(days=1)
    return due.start, due.end


def _score_period(item: dict[str, Any], slot: dict[str, Any], mentions: list[Any], scores: _Scores) -> None:
    values = slot.get("values") or {}
    if values.get("type") != "absolute":
        scores.period_types_skipped += 1
        return
    gold_start, gold_end = _day(values.get("from")), _day(values.get("to"))
    mention = _overlapping(mentions, slot["span"])
    scores.periods.gold += 1
    scores.periods.covered += mention is not None
    due = mention.due if mention else None
    is_range = due is not None and due.kind == "range"
    scores.period_ranges += is_range
    if is_range and _period_bounds(due) == (gold_start, gold_end):
        scores.periods.exact += 1
        return
    shown = None if due is None else (f"{due.start}..{due.end}" if due.kind == "range" else str(due.date))
    scores.misses.append(
        {
            "kind": "date_period",
            "text": item["text"],
            "span": slot["text"],
            "expected": f"{gold_start}..{gold_end}",
            "predicted": shown,
            "fold": item["fold"],
        }
    )


def _score_amount(item: dict[str, Any], slot: dict[str, Any], found: list[Any], scores: _Scores) -> None:
    value = slot.get("value") or {}
    mention = _overlapping(found, slot["span"])
    scores.amounts.gold += 1
    scores.amounts.covered += mention is not None
    scores.matched_amounts += mention is not None
    exact = mention is not None and abs(mention.amount - float(value.get("amount", -1))) < 0.005
    scores.amounts.exact += exact
    if value.get("currency") not in (None, "ambiguous"):
        scores.currency_gold += 1
        scores.currency_hits += mention is not None and mention.currency == value["currency"]
    if not exact:
        scores.misses.append(
            {
                "kind": "amount_of_money",
                "text": item["text"],
                "span": slot["text"],
                "expected": f"{value.get('amount')} {value.get('currency')}",
                "predicted": f"{mention.amount} {mention.currency}" if mention else None,
                "fold": item["fold"],
            }
        )


def _score_item(item: dict[str, Any], scores: _Scores) -> None:
    from pipeline.amounts import find_amounts
    from pipeline.dates import find_dates

    text, slots = item["text"], item.get("slots") or {}
    mentions = [m for m in find_dates(text, REFERENCE, convention="calendar") if m.due.kind != "none"]
    found_amounts = find_amounts(text)
    scores.predicted_amounts += len(found_amounts)
    if "date" in slots:
        _score_date(item, slots["date"], mentions, scores)
    if "date_period" in slots:
        _score_period(item, slots["date_period"], mentions, scores)
    if "amount_of_money" in slots:
        _score_amount(item, slots["amount_of_money"], found_amounts, scores)


def _metrics(scores: _Scores) -> tuple[dict[str, float | None], dict[str, str]]:
    dates, periods, amounts = scores.dates, scores.periods, scores.amounts
    metrics: dict[str, float | None] = {}
    metrics |= dates.metrics("date")
    metrics |= periods.metrics("date_period")
    metrics |= amounts.metrics("amount")
    metrics["amount_currency_accuracy"] = ratio(scores.currency_hits, scores.currency_gold)
    metrics["amount_precision"] = ratio(scores.matched_amounts, scores.predicted_amounts)
    notes = {
        "date_period_coverage": "share of absolute gold periods where the resolver produced any date",
        "amount_precision": "amounts found that overlap a gold amount slot, over all amounts found",
    }
    if scores.period_ranges == 0:
        metrics["date_period_accuracy"] = metrics["date_period_accuracy_when_covered"] = None
        notes["date_period_accuracy"] = notes["date_period_accuracy_when_covered"] = (
            "the resolver returned no date range for any gold period, so start/end could not be compared"
        )
    for tally, prefix in ((dates, "date"), (periods, "date_period"), (amounts, "amount")):
        if not tally.gold:
            notes[f"{prefix}_coverage"] = notes[f"{prefix}_accuracy"] = f"no gold {prefix} slots in this split"
        if not tally.covered:
            notes.setdefault(f"{prefix}_accuracy_when_covered", "no slot was covered")
    return metrics, notes


def evaluate(
    split: str = "test",
    *,
    data_dir: Path | None = None,
    engine: str = "rules",
    on_progress: Progress | None = None,
) -> DatasetReport:
    """Score date, period and amount resolution on the folds of one split.

    Args:
        split: `dev` (folds 0-9) or `test` (folds 10-19).
        data_dir: The `eval-data` folder; default the shared one.
        engine: Only `rules`: date and amount resolution is deterministic in both engines.
        on_progress: Called with (done, total).

    Returns:
        Coverage and exact accuracy per slot type, with every miss and its utterance.
    """
    if engine != "rules":
        raise ValueError(f"{NAME} scores the deterministic date resolver and amount parser; no {engine!r} engine")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLITS)}")
    started = time.perf_counter()
    items = read_folds(SPLITS[split], data_dir)
    scores = _Scores()
    for i, item in enumerate(items, 1):
        _score_item(item, scores)
        if on_progress and (i % 50 == 0 or i == len(items)):
            on_progress(i, len(items))
    metrics, notes = _metrics(scores)
    dates, periods, amounts = scores.dates, scores.periods, scores.amounts
    per_label: dict[str, dict[str, float | int | None]] = {
        "date": {"gold": dates.gold, "covered": dates.covered, "exact": dates.exact},
        "date_period (absolute)": {"gold": periods.gold, "covered": periods.covered, "exact": periods.exact},
        "amount_of_money": {"gold": amounts.gold, "covered": amounts.covered, "exact": amounts.exact},
    }
    return DatasetReport(
        dataset=NAME,
        split=f"{split} (folds {SPLITS[split][0]}-{SPLITS[split][-1]})",
        engine=engine,
        metrics=metrics,
        notes=notes,
        counts={
            "utterances": len(items),
            "date_slots": dates.gold,
            "date_period_slots_absolute": periods.gold,
            "date_period_slots_not_absolute": scores.period_types_skipped,
            "amount_slots": amounts.gold,
            "amounts_found": scores.predicted_amounts,
        },
        per_label=per_label,
        misses=scores.misses,
        seconds=time.perf_counter() - started,
    )
