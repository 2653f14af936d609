"""Lexicon gaps closed in the packaged policy (sentences invented for the tests, not from any test split)."""

from __future__ import annotations

import pytest

from review.policy import apply_policy


def names(text: str) -> set[str]:
    return {f.flag for f in apply_policy(text)}


@pytest.mark.parametrize("text", [
    "move £20,000 to my new account at another bank",
    "Please move £20,000 to my new account at another bank.",
    "I want to shift 20k over to my Nationwide account.",
    "Can you send twenty thousand pounds to my account with Barclays?",
    "Could you pay my daughter 5,000 before the end of the month?",
    "Take £10,000 out and put it in my Monzo account.",
    "I need £5,000 moved to my son's account.",
    "Please get fifty thousand across to my account at Coutts.",
    "I'd like the whole lot put into my account with the other bank.",
    "Put the money into my savings account at Halifax, please.",
    "We want our account at a different bank to receive the rent from now on.",
])
def test_money_sent_elsewhere_is_money_movement(text: str) -> None:
    assert "money_movement" in names(text)


@pytest.mark.parametrize("text", [
    "I'll pay a £25 fee for the replacement card if I must.",
    "The premium is £40 a month.",
    "We moved house last year.",
    "Can we move the meeting to Tuesday?",
    "Let's move on to the next item on the agenda.",
    "The fee is 2,000 pounds.",
    "She has banked with us for twenty years.",
])
def test_amounts_and_moves_that_are_not_money_movement(text: str) -> None:
    assert "money_movement" not in names(text)
