"""NLU++ banking: resolving dates, periods and amounts against the data's reference time.

Dates and periods go through the product's own resolver, `pipeline.dates.find_dates`,
with the reference date 2022-03-15 (the dataset's "now" is 2022-03-15 09:00; the resolver
works in days). Amounts go through `evals.datasets.amounts.find_amounts`.

How a gold slot is scored:

- the predicted mention is the first one whose character span overlaps the gold span;
- **coverage** is the share of gold slots for which we produced any value (a dated
  mention for dates and periods, an amount for money);
- **accuracy** is the share of all gold slots whose value is exactly right; the share
  among covered slots is reported too, so a cautious resolver and a wrong one look
  different;
- `date`: the resolved day equals the gold day;
- `date_period`: only gold periods of type `absolute` have a start and end to compare.
  Our resolver is deadline-oriented: it returns one day ("next week" -> that week's
  Friday), and a range only where it has one. A period is exact only when we return a
  range with the same start and end; when we never return a range, the period accuracy
  is None with a note, not 0;
- `amount_of_money`: the amount equal to the cent; currency is scored separately where
  the gold currency is not `ambiguous`.

The resolver looks forward (due dates), while many NLU++ dates look back ("8 weeks ago",
"last night"); those are counted as uncovered, which is what they are for us.

Folds 0-9 are the development folds (the amount cues were written from them); folds 10-19
are reported.
"""

from __future__ import annotations

import json
import time
from datetime import date
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


def evaluate(
    split: str = "test", *, data_dir: Path | None = None, engine: str = "rules", on_progress: Progress | None = None,
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
    from evals.datasets.amounts import find_amounts
    from pipeline.dates import find_dates

    if engine != "rules":
        raise ValueError(f"{NAME} scores the deterministic date resolver and amount parser; no {engine!r} engine")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {sorted(SPLITS)}")
    started = time.perf_counter()
    items = read_folds(SPLITS[split], data_dir)
    dates, periods, amounts = _Tally(), _Tally(), _Tally()
    currency_gold = currency_hits = 0
    period_ranges = period_types_skipped = 0
    predicted_amounts = matched_amounts = 0
    misses: list[dict[str, Any]] = []
    for i, item in enumerate(items, 1):
        text, slots = item["text"], item.get("slots") or {}
        mentions = [m for m in find_dates(text, REFERENCE) if m.due.kind != "none"]
        found_amounts = find_amounts(text)
        predicted_amounts += len(found_amounts)
        if "date" in slots:
            slot = slots["date"]
            gold = _day(slot.get("value"))
            mention = _overlapping(mentions, slot["span"])
            dates.gold += 1
            got = mention.due.deadline if mention else None
            dates.covered += got is not None
            if got is not None and got == gold:
                dates.exact += 1
            else:
                misses.append({"kind": "date", "text": text, "span": slot["text"], "expected": str(gold),
                               "predicted": str(got) if got else None, "fold": item["fold"]})
        if "date_period" in slots:
            slot = slots["date_period"]
            values = slot.get("values") or {}
            if values.get("type") != "absolute":
                period_types_skipped += 1
            else:
                gold_start, gold_end = _day(values.get("from")), _day(values.get("to"))
                mention = _overlapping(mentions, slot["span"])
                periods.gold += 1
                periods.covered += mention is not None
                due = mention.due if mention else None
                if due is not None and due.kind == "range":
                    period_ranges += 1
                if due is not None and due.kind == "range" and (due.start, due.end) == (gold_start, gold_end):
                    periods.exact += 1
                else:
                    shown = None if due is None else (
                        f"{due.start}..{due.end}" if due.kind == "range" else str(due.date))
                    misses.append({"kind": "date_period", "text": text, "span": slot["text"],
                                   "expected": f"{gold_start}..{gold_end}", "predicted": shown, "fold": item["fold"]})
        if "amount_of_money" in slots:
            slot = slots["amount_of_money"]
            value = slot.get("value") or {}
            mention = _overlapping(found_amounts, slot["span"])
            amounts.gold += 1
            amounts.covered += mention is not None
            matched_amounts += mention is not None
            exact = mention is not None and abs(mention.amount - float(value.get("amount", -1))) < 0.005
            amounts.exact += exact
            if value.get("currency") not in (None, "ambiguous"):
                currency_gold += 1
                currency_hits += mention is not None and mention.currency == value["currency"]
            if not exact:
                misses.append({"kind": "amount_of_money", "text": text, "span": slot["text"],
                               "expected": f"{value.get('amount')} {value.get('currency')}",
                               "predicted": f"{mention.amount} {mention.currency}" if mention else None,
                               "fold": item["fold"]})
        if on_progress and (i % 50 == 0 or i == len(items)):
            on_progress(i, len(items))

    metrics: dict[str, float | None] = {}
    metrics |= dates.metrics("date")
    metrics |= periods.metrics("date_period")
    metrics |= amounts.metrics("amount")
    metrics["amount_currency_accuracy"] = ratio(currency_hits, currency_gold)
    metrics["amount_precision"] = ratio(matched_amounts, predicted_amounts)
    notes = {
        "date_period_coverage": "share of absolute gold periods where the resolver produced any date",
        "amount_precision": "amounts found that overlap a gold amount slot, over all amounts found",
    }
    if period_ranges == 0:
        metrics["date_period_accuracy"] = metrics["date_period_accuracy_when_covered"] = None
        notes["date_period_accuracy"] = notes["date_period_accuracy_when_covered"] = (
            "the resolver returned no date range for any gold period, so start/end could not be compared"
        )
    for tally, prefix in ((dates, "date"), (periods, "date_period"), (amounts, "amount")):
        if not tally.gold:
            notes[f"{prefix}_coverage"] = notes[f"{prefix}_accuracy"] = f"no gold {prefix} slots in this split"
        if not tally.covered:
            notes.setdefault(f"{prefix}_accuracy_when_covered", "no slot was covered")
    per_label: dict[str, dict[str, float | int | None]] = {
        "date": {"gold": dates.gold, "covered": dates.covered, "exact": dates.exact},
        "date_period (absolute)": {"gold": periods.gold, "covered": periods.covered, "exact": periods.exact},
        "amount_of_money": {"gold": amounts.gold, "covered": amounts.covered, "exact": amounts.exact},
    }
    return DatasetReport(
        dataset=NAME, split=f"{split} (folds {SPLITS[split][0]}-{SPLITS[split][-1]})", engine=engine,
        metrics=metrics, notes=notes,
        counts={"utterances": len(items), "date_slots": dates.gold, "date_period_slots_absolute": periods.gold,
                "date_period_slots_not_absolute": period_types_skipped, "amount_slots": amounts.gold,
                "amounts_found": predicted_amounts},
        per_label=per_label, misses=misses, seconds=time.perf_counter() - started,
    )
