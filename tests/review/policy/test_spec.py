"""Loading the policy file: every rule checked before it is used."""

from __future__ import annotations

import copy

import pytest

from review.errors import PolicyError
from review.policy import (
    default_policy,
    load_policy,
    parse_policy,
)
from tests.review.policy.helpers import raw_policy

# --- loading ---------------------------------------------------------------------------


def test_packaged_policy_loads_with_every_flag():
    policy = load_policy()
    assert set(policy.flags) == {
        "advice", "complaint", "money_movement", "fees_pricing",
        "account_terms", "vulnerable_customer", "tax_legal",
    }  # fmt: skip
    assert policy.version
    for fp in policy.flags.values():
        assert fp.reviewer_role in {"rm", "reviewer", "service", "admin"}
        assert fp.rules


def test_invalid_regex_raises_policy_error_naming_the_rule():
    data = raw_policy()
    data["flags"]["advice"]["rules"][0]["patterns"] = ["recommend(ation"]
    with pytest.raises(PolicyError) as info:
        parse_policy(data, path="bad.yaml")
    assert info.value.rule_id == "advice.recommendation"
    assert "advice.recommendation" in str(info.value)
    assert "bad.yaml" in str(info.value)


def test_invalid_instruction_regex_raises_policy_error_naming_the_rule():
    data = raw_policy()
    data["instructions"][0]["patterns"] = ["note to (the ai"]
    with pytest.raises(PolicyError) as info:
        parse_policy(data)
    assert info.value.rule_id == data["instructions"][0]["id"]


def test_instruction_rules_cover_four_languages():
    assert {r.language for r in default_policy().instructions} == {"en", "fr", "de", "es"}


def test_invalid_context_regex_raises_policy_error():
    data = raw_policy()
    data["context"]["boilerplate"].append("(unclosed")
    with pytest.raises(PolicyError, match="context.boilerplate"):
        parse_policy(data)


def test_unknown_key_is_rejected():
    data = raw_policy()
    data["flags"]["complaint"]["colour"] = "red"
    with pytest.raises(PolicyError, match="colour"):
        parse_policy(data)


def test_missing_flag_is_rejected():
    data = raw_policy()
    del data["flags"]["tax_legal"]
    with pytest.raises(PolicyError, match="tax_legal"):
        parse_policy(data)


def test_duplicate_rule_id_is_rejected():
    data = raw_policy()
    rules = data["flags"]["complaint"]["rules"]
    rules.append(copy.deepcopy(rules[0]))
    with pytest.raises(PolicyError, match="duplicate"):
        parse_policy(data)


def test_unreadable_file_raises_policy_error(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match=str(bad)):
        load_policy(bad)
