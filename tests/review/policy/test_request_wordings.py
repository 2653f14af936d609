"""Recommendation requests, declined recommendations, complaints without the word,
forbearance and death-related wording (sentences invented for the tests)."""

from __future__ import annotations

import pytest

from review.policy import apply_policy
from tests.review.policy.helpers import names


def rule_ids(text: str) -> set[str]:
    return {f.rule_id for f in apply_policy(text)}


def test_a_declined_recommendation_still_raises_advice() -> None:
    text = "I'm afraid I can't give you a personal recommendation on which fund to pick."
    assert "advice" in names(text)
    assert "advice.declined" in rule_ids(text)


def test_a_referral_to_a_tax_adviser_is_not_a_declined_recommendation() -> None:
    assert "advice.declined" not in rule_ids("You may want to speak to a tax adviser about that.")


@pytest.mark.parametrize(
    "text",
    [
        "How do I top up my ISA from the app?",
        "Where do I fix the address on my account?",
    ],
)
def test_asking_how_to_do_something_raises_no_advice(text: str) -> None:
    assert "advice" not in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "What's your view on whether we should stay in cash?",
        "Am I better off keeping the money in the ISA?",
        "Would you go for the tracker or the fixed rate?",
        "Does it make sense to switch the pension now?",
        "Do you reckon I should sell the shares?",
        "Is it worth switching to the new fund?",
    ],
)
def test_asking_what_to_do_in_other_words_raises_advice(text: str) -> None:
    assert "advice" in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "The charge is not what I was told on the phone.",
        "I'm not paying that, I want it put right.",
        "I'd like to speak to someone senior about this.",
        "Nobody told us the rate would change.",
    ],
)
def test_a_complaint_without_the_word_raises_complaint(text: str) -> None:
    assert "complaint" in names(text)


@pytest.mark.parametrize(
    "text",
    [
        "Could we reduce the monthly repayments for a few months?",
        "Is there any way to have lower payments on the loan?",
    ],
)
def test_a_forbearance_request_raises_account_terms(text: str) -> None:
    assert "account_terms" in names(text)


def test_asking_to_be_added_to_an_account_raises_account_terms() -> None:
    assert "account_terms" in names("My daughter has asked to be added to the current account.")


@pytest.mark.parametrize(
    "text",
    [
        "The policy pays a death benefit of £100,000.",
        "Please send me the funeral plan brochure.",
        "Can you update the next of kin details on my file?",
    ],
)
def test_product_wording_about_death_raises_no_vulnerable_customer(text: str) -> None:
    assert "vulnerable_customer" not in names(text)


def test_a_bereavement_still_raises_vulnerable_customer() -> None:
    assert "vulnerable_customer" in names("My husband passed away last month.")
