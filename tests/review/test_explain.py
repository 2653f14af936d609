"""One reason per flag, in words with the sentence, instead of one line per regex match."""

from __future__ import annotations

from review.explain import flag_reasons
from review.gate import policy_flags
from review.policy import apply_policy, default_policy
from review.policy.engine import quote_around

FEES = ("The annual fee is 1%. The dealing fee is £10. There is an exit fee, a switching fee and a custody fee; "
        "the fees are charged quarterly. Any fee waiver needs approval. Fees again: fee, fees, fee.")


def test_many_matches_of_one_flag_fold_into_one_reason() -> None:
    rows = policy_flags(source_text=FEES, fields={})
    assert sum(r["flag"] == "fees_pricing" for r in rows) >= 8
    reasons = flag_reasons(rows)
    assert [r.flag for r in reasons] == ["fees_pricing"]
    fees = reasons[0]
    assert fees.reason.startswith("mentions a fee or charge") or fees.reason.startswith("mentions ")
    assert "rule " not in fees.reason and "matched" not in fees.reason
    assert fees.mentions == len(fees.spans) >= 8
    assert all(FEES[s.start:s.end] == s.matched for s in fees.spans)


def test_reason_quotes_the_sentence_of_the_most_telling_match() -> None:
    text = "Thanks for the call earlier. Please move £15,000 to the new payee today. Speak soon."
    money = next(r for r in flag_reasons(policy_flags(source_text=text, fields={})) if r.flag == "money_movement")
    assert money.reason.startswith("mentions ")
    assert money.reason.endswith(": \u201cPlease move £15,000 to the new payee today.\u201d")


def test_source_reason_wins_over_a_draft_field() -> None:
    text = "Client wants the transfer sent to her solicitor."
    rows = policy_flags(source_text=text, fields={"summary.key_facts[0]": "A very long transfer of funds planned"})
    money = next(r for r in flag_reasons(rows) if r.flag == "money_movement")
    assert "solicitor" in money.reason and money.spans[0].where == "source"


def test_long_sentences_are_cut_around_the_match() -> None:
    text = "word " * 80 + "the CHAPS fee " + "word " * 80
    start = text.index("CHAPS")
    quote = quote_around(text, start, start + 5, limit=60)
    assert "CHAPS" in quote and quote.startswith("…") and quote.endswith("…") and len(quote) <= 64


def test_every_packaged_rule_says_what_it_means_in_words() -> None:
    for fp in default_policy().flags.values():
        for rule in fp.rules:
            assert rule.says, rule.id


def test_every_rule_flag_carries_its_reason() -> None:
    assert all(f.reason and f.reason.startswith("mentions ") for f in apply_policy(FEES + " I want to complain."))


def test_a_reason_does_not_quote_across_email_headers() -> None:
    text = (
        "From: a.khan@example.com\nSubject: Still waiting\n\n"
        "Omar,\nThis is the third time I have chased this\nand nobody replies.\n"
    )
    start = text.index("third time")
    quote = quote_around(text, start, start + 10)
    assert quote == "This is the third time I have chased this and nobody replies."


def test_a_reason_stops_at_a_blank_line() -> None:
    text = "Thanks for the update\n\nI want to complain about the fee"
    start = text.index("complain")
    assert quote_around(text, start, start + 8) == "I want to complain about the fee"
