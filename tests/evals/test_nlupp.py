"""NLU++ scoring follows NLU++'s own conventions (invented utterances, the dataset's reference day)."""

from __future__ import annotations

import json

from evals.datasets import nlupp


def _slot(text: str, phrase: str, value: dict) -> dict:
    start = text.index(phrase)
    return {"text": phrase, "span": [start, start + len(phrase)], **value}


def _day(d: str) -> dict:
    year, month, day = map(int, d.split("-"))
    return {"year": year, "month": month, "day": day}


def _write_folds(tmp_path, items: list[dict]) -> None:
    folder = tmp_path / nlupp.NAME / "banking"
    folder.mkdir(parents=True)
    for fold in nlupp.TEST_FOLDS:
        (folder / f"fold{fold}.json").write_text(json.dumps(items if fold == 10 else []), "utf-8")


def test_scores_periods_with_nlupp_interval_ends_and_dates_by_first_day(tmp_path) -> None:
    texts = [
        "did I spend more last month",
        "any refunds in the last 3 days",
        "it was declined 6 days ago",
        "what did I pay last month",
    ]
    items = [
        {
            "text": texts[0],
            "slots": {
                "date_period": _slot(
                    texts[0],
                    "last month",
                    {"values": {"type": "absolute", "from": _day("2022-02-01"), "to": _day("2022-02-28")}},
                )
            },
        },
        # A counted span: NLU++ writes the day after it as `to`.
        {
            "text": texts[1],
            "slots": {
                "date_period": _slot(
                    texts[1],
                    "last 3 days",
                    {"values": {"type": "absolute", "from": _day("2022-03-12"), "to": _day("2022-03-15")}},
                )
            },
        },
        {"text": texts[2], "slots": {"date": _slot(texts[2], "6 days ago", {"value": _day("2022-03-09")})}},
        # A period in a date slot is its first day.
        {"text": texts[3], "slots": {"date": _slot(texts[3], "last month", {"value": _day("2022-02-01")})}},
    ]
    _write_folds(tmp_path, items)
    report = nlupp.evaluate("test", data_dir=tmp_path)
    assert report.per_label["date_period (absolute)"] == {"gold": 2, "covered": 2, "exact": 2}
    assert report.per_label["date"] == {"gold": 2, "covered": 2, "exact": 2}
    assert report.misses == []


def test_a_wrong_period_is_a_miss_with_both_ranges(tmp_path) -> None:
    text = "how much this month"
    items = [
        {
            "text": text,
            "slots": {
                "date_period": _slot(
                    text,
                    "this month",
                    {"values": {"type": "absolute", "from": _day("2022-02-01"), "to": _day("2022-02-28")}},
                )
            },
        }
    ]
    _write_folds(tmp_path, items)
    report = nlupp.evaluate("test", data_dir=tmp_path)
    assert report.metrics["date_period_accuracy"] == 0.0
    assert report.misses[0]["predicted"] == "2022-03-01..2022-03-31"
