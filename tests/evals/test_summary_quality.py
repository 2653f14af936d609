"""Client-asks and decisions recall by embedding similarity, and the description-quality check."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.summary_quality import (
    SIMILARITY_THRESHOLD,
    calibrate_threshold,
    default_embed,
    description_faults,
    description_quality,
    phrase_recall,
)
from tests.eval_data import missing_eval_data

DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval-data" / "fs-interactions" / "dev.jsonl"


@pytest.fixture(scope="module")
def embed():
    return default_embed()


@pytest.mark.parametrize(("description", "fault"), [
    ("Send you that form by Friday", "pronoun"),
    ("Forward me that email", "pronoun"),
    ("Call you back on your home number tomorrow morning to do that", "pronoun"),
    ("Help", "fragment"),
    ("Waive", "fragment"),
    ("Set up the", "truncated"),
    ("Introduce Ms Castellano to a wealth planner by", "truncated"),
    ("Send the valuation pack…", "truncated"),
    ("Send it over today", "bare_object"),
])
def test_descriptions_a_reviewer_would_rewrite_are_faulted(description: str, fault: str) -> None:
    assert fault in description_faults(description)


@pytest.mark.parametrize("description", [
    "Call Samuel Castellano back on his home number tomorrow morning",
    "Seek credit approval for a £15,000 card limit and call back",
    "Send the last two payslips",
])
def test_task_list_descriptions_have_no_fault(description: str) -> None:
    assert description_faults(description) == []


def test_quality_rate_counts_descriptions_without_faults() -> None:
    rate, faults = description_quality(["Send the last two payslips", "Help", "Send you the form"])
    assert rate == pytest.approx(1 / 3) and faults == {"fragment": 1, "pronoun": 1}
    assert description_quality([]) == (None, {})


def test_paraphrases_are_found_and_other_topics_are_not(embed) -> None:
    gold = ["Increase the card limit to £15,000"]
    assert phrase_recall([(gold, ["Could my credit card limit go up to fifteen thousand pounds?"])], embed)[0] == 1.0
    assert phrase_recall([(gold, ["Email address for statements updated during the call"])], embed)[0] == 0.0
    assert phrase_recall([(gold, [])], embed) == (0.0, 0, 1)
    assert phrase_recall([([], ["anything"])], embed) == (None, 0, 0)


@pytest.mark.once
def test_threshold_is_the_one_calibrated_on_dev(embed) -> None:
    if not DEV.exists():
        missing_eval_data(f"fs-interactions dev set not found at {DEV}")
    from evals.fs_interactions import read_records

    assert abs(calibrate_threshold(read_records(DEV), embed) - SIMILARITY_THRESHOLD) <= 0.05
