"""The fs-interactions scorer on tiny hand-made records with hand-computed expected numbers."""

import json

import pytest

from evals.fs_interactions import evaluate_file, evaluate_records, match_actions, normalise_owner

TEXT = "Ann: I'll send the pack today. Bob: I'll post the forms tomorrow. Ann: We'll call you on Friday."


def _gold(evidence, owner="Ann Lee", side="firm", due=None, type_="task"):
    return {"description": "d", "owner": owner, "owner_side": side, "due": due, "type": type_, "evidence": evidence}


RECORD = {
    "id": "t-1",
    "text": TEXT,
    "gold": {
        "purpose": "service_issue",
        "actions": [
            _gold("I'll send the pack today.", due="2025-06-04", type_="client_response"),
            _gold("I'll post the forms tomorrow.", owner="Bob Ray", side="client", due="2025-06-05"),
            _gold("We'll call you on Friday.", owner="Claims team", due="2025-06-06", type_="client_response"),
        ],
        "sensitivity": ["fees_pricing", "advice"],
    },
}


def _engine(record):
    return {
        "purpose": "complaint",
        "actions": [
            # matches gold 1, all fields right (range scores by its end date)
            {"owner": " ann lee ", "owner_side": "firm", "type": "client_response",
             "due": {"kind": "range", "start": "2025-06-01", "end": "2025-06-04"},
             "evidence": "send the pack today."},
            # matches gold 3: owner "claims" == "Claims team" after normalisation; wrong due and type
            {"owner": "claims", "owner_side": "firm", "type": "task", "due": None, "evidence": "call you on Friday"},
            # not a substring: counts as predicted, matches nothing
            {"owner": "Bob Ray", "owner_side": "client", "type": "task", "due": None, "evidence": "I will post forms"},
        ],
    }


def test_scorer_counts_match_hand_computed_numbers() -> None:
    report = evaluate_records([RECORD], engine=_engine, flagger=lambda r: {"fees_pricing", "complaint"})
    m = report.metrics
    assert m["action_precision"] == pytest.approx(2 / 3)
    assert m["action_recall"] == pytest.approx(2 / 3)
    assert m["action_f1"] == pytest.approx(2 / 3)
    assert m["owner_accuracy"] == 1.0
    assert m["owner_side_accuracy"] == 1.0
    assert m["due_accuracy"] == pytest.approx(0.5)
    assert m["type_accuracy"] == pytest.approx(0.5)
    assert m["purpose_accuracy"] == 0.0
    assert m["evidence_exact_rate"] == pytest.approx(2 / 3)
    assert m["flag_precision"] == pytest.approx(0.5)
    assert m["flag_recall"] == pytest.approx(0.5)
    assert report.per_flag["advice"]["fn"] == 1 and report.per_flag["complaint"]["fp"] == 1
    kinds = sorted((x.kind, x.field or "") for x in report.misses)
    assert kinds == sorted([("wrong_field", "due"), ("wrong_field", "type"), ("false_negative", ""),
                            ("false_positive", ""), ("wrong_purpose", ""), ("flag_fp", ""), ("flag_fn", "")])
    fn = next(x for x in report.misses if x.kind == "false_negative")
    assert fn.evidence == "I'll post the forms tomorrow."


def test_scorer_without_flagger_reports_none_with_reason() -> None:
    report = evaluate_records([RECORD], engine=_engine)
    assert report.metrics["flag_precision"] is None and report.metrics["flag_recall"] is None
    assert "flagger" in report.notes["flag_recall"]


def test_scorer_no_matches_gives_none_field_metrics_and_zero_f1() -> None:
    record = {**RECORD, "gold": {**RECORD["gold"], "actions": []}}
    report = evaluate_records([record], engine=lambda r: {"purpose": "service_issue", "actions": []})
    m = report.metrics
    assert m["action_precision"] is None and m["action_recall"] is None and m["action_f1"] is None
    assert m["owner_accuracy"] is None and "no matched" in report.notes["owner_accuracy"]
    assert m["purpose_accuracy"] == 1.0


def test_no_gold_actions_count_through_predictions() -> None:
    record = {**RECORD, "gold": {**RECORD["gold"], "actions": []}}
    report = evaluate_records([record, RECORD], engine=_engine)
    assert report.metrics["action_precision"] == pytest.approx(2 / 6)
    assert report.metrics["action_recall"] == pytest.approx(2 / 3)


def test_matching_greedy_largest_overlap_ties_to_earlier_gold() -> None:
    text = "aaaa bbbb"
    gold = [{"evidence": "aaaa"}, {"evidence": "bbbb"}]

    class P:
        def __init__(self, evidence):
            self.evidence = evidence

    # The prediction overlaps both golds by 4 and 4 chars... tie -> earlier gold.
    assert match_actions(text, gold, [P("aaaa bbbb")]) == [(0, 0)]
    # Larger overlap wins even when it is the later gold span.
    assert match_actions(text, gold, [P("a bbbb")]) == [(1, 0)]
    # One-to-one: the second prediction takes what is left.
    assert match_actions(text, gold, [P("aaaa bbbb"), P("aa")]) == [(0, 0)]
    assert match_actions(text, gold, [P("aaaa b"), P("bbbb")]) == [(0, 0), (1, 1)]


def test_normalise_owner() -> None:
    assert normalise_owner("  Claims Team ") == "claims"
    assert normalise_owner("Ann Lee") == "ann lee"


def test_evaluate_file_reads_jsonl(tmp_path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    report = evaluate_file(path, engine=_engine)
    assert report.dataset == "tiny.jsonl" and len(report.records) == 1


def test_unknown_engine_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        evaluate_records([RECORD], engine="nope")
