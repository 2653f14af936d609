"""Things kept as they are: settled statements count, questions, conditions, wishes and denials do not."""

from __future__ import annotations

from pipeline.rules.unchanged import kept_as_is


def test_a_term_the_firm_says_stays_is_a_short_phrase_without_the_aside() -> None:
    assert kept_as_is("The arrangement fee stays at 0.75%, same as last time.", by_firm=True) == (
        "Arrangement fee stays at 0.75%")
    assert kept_as_is("Custody stays with Northgate Custody (scheme's existing custodian).", by_firm=True) == (
        "Custody stays with Northgate Custody")


def test_a_notes_unchanged_keeps_its_figure() -> None:
    assert kept_as_is("Risk profile unchanged (4/7).", by_firm=True) == "Risk profile unchanged (4/7)"


def test_keep_and_leave_are_worded_as_what_stays() -> None:
    assert kept_as_is("We'll keep the excess at £350.", by_firm=True) == "Excess stays at £350"
    assert kept_as_is("The investments themselves will stay invested for now.", by_firm=True) == (
        "Investments stay invested for now")
    assert kept_as_is("Leave the bonds as they are for now, I think.", by_firm=False) == (
        "Bonds left as they are for now")


def test_a_term_the_firm_says_is_fixed_on_the_policy_stays_but_a_fixed_rate_is_a_fact() -> None:
    assert kept_as_is("I'm afraid the excess is fixed on the policy, it's not something I can change.",
                      by_firm=True) == "Excess stays fixed on the policy"
    assert kept_as_is("The rate is fixed until 2027.", by_firm=True) is None


def test_a_pronoun_takes_the_thing_named_before_or_gives_nothing() -> None:
    before = "I can see that direct debit on the joint account."
    assert kept_as_is("So it stays as it is for now.", by_firm=True, before=before) == (
        "Direct debit stays as it is for now")
    assert kept_as_is("So it stays as it is for now.", by_firm=True, before="Thanks for coming in.") is None


def test_a_question_is_not_a_decision() -> None:
    assert kept_as_is("Does the excess stay at £350?", by_firm=False) is None
    assert kept_as_is("Will the arrangement fee stay at 0.75%?", by_firm=True) is None


def test_a_condition_a_proposal_or_a_denial_is_not_a_decision() -> None:
    assert kept_as_is("If the rate stays at 4%, we'll renew for another year.", by_firm=True) is None
    assert kept_as_is("We're proposing to keep interest cover at three times.", by_firm=True) is None
    assert kept_as_is("It would stay at 4% for the first year.", by_firm=True) is None
    assert kept_as_is("The rate won't stay at 4% after March.", by_firm=True) is None


def test_a_clients_wish_is_not_a_decision_but_their_instruction_is() -> None:
    assert kept_as_is("I'd rather the fee stays at 0.75%.", by_firm=False) is None
    assert kept_as_is("Keep the fee at 0.75% then.", by_firm=False) == "Fee stays at 0.75%"


def test_staying_needs_a_where_or_how() -> None:
    assert kept_as_is("The portfolio remains close to its strategic allocation.", by_firm=True) is None
    assert kept_as_is("Keep the receipt for the plumber.", by_firm=True) is None


def test_a_notes_staying_keeps_the_term_and_a_figure_in_brackets_stays_with_it() -> None:
    from pipeline.rules.unchanged import kept_as_is

    assert kept_as_is("Excess staying at £500 own damage.", by_firm=True) == "Excess stays at £500 own damage"
    assert kept_as_is("Please keep the term as it is (19 years left).", by_firm=False) == (
        "Term stays as it is (19 years left)")
