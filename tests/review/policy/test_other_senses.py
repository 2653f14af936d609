"""A flag's words in a sense that is not the flag's, and what each one raises instead.

Each case is a class seen in labelled interactions (a date, a document, an idiom, another
flag's topic), written here in sentences invented for the tests.
"""

from __future__ import annotations

import pytest

from tests.review.policy.helpers import names


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # Dates, idioms and phrases of speech.
        ("Your statement for 14 Apr is attached.", "fees_pricing"),
        ("It isn't life or death, it would just help before the holidays.", "vulnerable_customer"),
        ("I can only explain it in general terms, the detail is for your accountant.", "account_terms"),
        ("- AB very upset, we kept the meeting short.", "complaint"),
        # Documents asked for, not topics discussed.
        ("Could you send your last VAT return with the management accounts?", "tax_legal"),
        ("Docs seen: passport, driving licence, HMRC UTR letter.", "tax_legal"),
        ("The solicitor's charging us three hundred pounds for the search.", "tax_legal"),
        ("She sent £9,500 to Olu's solicitor on Monday and it hasn't arrived.", "tax_legal"),
        # Another flag's topic: an attorney under a power of attorney, a product allowance.
        ("Thanks for bringing in her lasting power of attorney yesterday.", "tax_legal"),
        ("We need to complete the identity checks on you as attorney.", "tax_legal"),
        ("Good to know the 10% allowance starts again on the new deal.", "tax_legal"),
        ("Your overpayment allowance resets each year.", "tax_legal"),
        # A payment named in a security question, a card cancelled, a proposal re-presented.
        ("Thank you. And can you tell me the amount of your last payment?", "money_movement"),
        ("His business debit card will be cancelled when he leaves.", "money_movement"),
        ("Client declined the hedge. Not to be re-presented this year.", "money_movement"),
        ("You'd like to take it from one and a half million to two million?", "money_movement"),
        # A draft's note that no recommendation was made; a payment cancelled is no block on the account.
        ("No recommendation given (execution-only)", "advice"),
        ("Scheduled payment cancelled during the call", "account_terms"),
        # A business client's trade and staff, scheme rules, hypotheticals and idioms.
        ("We run a care home business with 40 residents.", "vulnerable_customer"),
        ("The company made three roles redundant last year as part of a restructure.", "vulnerable_customer"),
        ("Our office has disabled access and a hearing loop.", "vulnerable_customer"),
        ("The tenant is two months in arrears on the unit we let out.", "vulnerable_customer"),
        ("We'd like income protection in case either of us is off work.", "vulnerable_customer"),
        ("The high street shop is dying a death, so we moved online.", "vulnerable_customer"),
        ("The widow's pension is part of the scheme rules.", "vulnerable_customer"),
        ("We're a hospice charity looking to move our reserves.", "vulnerable_customer"),
        ("The estate agent says completion is on Friday.", "tax_legal"),
        ("It's free to call us from a mobile.", "fees_pricing"),
    ],
)
def test_a_word_in_another_sense_does_not_raise_the_flag(text: str, flag: str) -> None:
    assert flag not in names(text)


def test_a_daily_payment_limit_is_money_movement_not_a_credit_limit() -> None:
    flags = names("Can the daily online limit go up to £30,000 for payroll?")
    assert "money_movement" in flags and "account_terms" not in flags


def test_a_card_cancelled_is_a_block_on_the_card() -> None:
    assert "account_terms" in names("I've cancelled his card now.")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("They should re-present it automatically next week.", "money_movement"),
        ("I was charged a fee on 3 April that I don't recognise.", "fees_pricing"),
        ("The APR is 21.9% on purchases.", "fees_pricing"),
        ("My attorney will review the agreement before we sign.", "tax_legal"),
        ("We'll send the £40,000 to your solicitor before the 20th.", "money_movement"),
        ("We don't recommend any fund for you; that would need an adviser.", "advice"),
        ("Your account is frozen until the checks are done.", "account_terms"),
        ("I was made redundant in May and money is tight.", "vulnerable_customer"),
        ("We're behind on the rent and in arrears with the loan.", "vulnerable_customer"),
        ("Is it free to open the account?", "fees_pricing"),
    ],
)
def test_the_flags_own_sense_still_counts(text: str, flag: str) -> None:
    assert flag in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("The weather has been appalling this week.", "complaint"),
        ("Ridiculous traffic on the way in, sorry.", "complaint"),
        ("Thanks for charging ahead with this.", "fees_pricing"),
        ("The rate of progress on the build is great.", "fees_pricing"),
        ("We sponsor the local mental health charity run.", "vulnerable_customer"),
        ("I'm dying to see the new app.", "vulnerable_customer"),
        ("Legal & General are our pension provider.", "tax_legal"),
        ("The will to get it done is there.", "tax_legal"),
        ("Let me put you through to payments.", "money_movement"),
    ],
)
def test_small_talk_and_names_raise_nothing(text: str, flag: str) -> None:
    assert flag not in names(text)
