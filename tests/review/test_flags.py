"""Tests for flag models and the add-only merge of model proposals."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from review.flags import Flag, FlagSet, ModelFlagProposal
from review.policy import apply_policy, default_policy, merge_model_flags

SOURCE = "I'd like to move the ISA to Northgate. Also my mother has been unwell lately."


def test_model_can_add_a_flag_with_exact_evidence():
    rule_flags = apply_policy(SOURCE)
    assert "vulnerable_customer" not in {f.flag for f in rule_flags}
    proposal = ModelFlagProposal(flag="vulnerable_customer", evidence="my mother has been unwell", reason="illness")
    merged = merge_model_flags(rule_flags, [proposal], SOURCE)
    assert merged[: len(rule_flags)] == rule_flags
    added = merged[len(rule_flags) :]
    assert len(added) == 1
    flag = added[0]
    assert (flag.origin, flag.rule_id, flag.where) == ("model", "model", "source")
    assert SOURCE[flag.start : flag.end] == flag.text == "my mother has been unwell"
    assert flag.severity == default_policy().flags["vulnerable_customer"].severity
    assert flag.reason == "illness"


def test_model_flag_without_exact_evidence_is_rejected():
    result = FlagSet().merge_model(
        [ModelFlagProposal(flag="advice", evidence="recommended a fund")],
        source_text=SOURCE,
        settings=default_policy().settings(),
    )
    assert result.flags == ()
    assert result.rejected[0].proposal.flag == "advice"
    assert "substring" in result.rejected[0].reason


def test_model_cannot_remove_or_downgrade_rule_flags():
    rule_flags = apply_policy(SOURCE)
    assert rule_flags
    assert merge_model_flags(rule_flags, [], SOURCE) == rule_flags
    # A proposal has no field for severity, role or removal.
    with pytest.raises(ValidationError):
        ModelFlagProposal(flag="money_movement", evidence="move the ISA", severity="low")
    with pytest.raises(ValidationError):
        ModelFlagProposal(flag="money_movement", evidence="move the ISA", action="remove")
    merged = merge_model_flags(rule_flags, [ModelFlagProposal(flag="money_movement", evidence="move the ISA")], SOURCE)
    rule_only = [f for f in merged if f.origin == "rule"]
    assert rule_only == rule_flags
    assert all(f.severity == "high" for f in merged if f.flag == "money_movement")


def test_duplicate_model_proposal_adds_once():
    proposal = ModelFlagProposal(flag="account_terms", evidence="move the ISA")
    merged = merge_model_flags([], [proposal, proposal], SOURCE)
    assert len(merged) == 1


def test_proposal_rejects_unknown_flag_and_empty_evidence():
    with pytest.raises(ValidationError):
        ModelFlagProposal(flag="gossip", evidence="x")
    with pytest.raises(ValidationError):
        ModelFlagProposal(flag="advice", evidence="")


def test_flag_span_must_match_text_length():
    with pytest.raises(ValidationError):
        Flag(flag="advice", rule_id="advice.x", severity="high", reviewer_role="reviewer", start=5, end=3, text="ab")
    with pytest.raises(ValidationError):
        Flag(flag="advice", rule_id="advice.x", severity="high", reviewer_role="reviewer", start=0, end=3, text="ab")


def test_flagset_names_and_max_severity():
    flags = apply_policy("The fee is high and I want to complain.")
    fs = FlagSet(flags=tuple(flags))
    assert fs.names == {"fees_pricing", "complaint"}
    assert fs.max_severity == "high"
    assert FlagSet().max_severity is None
