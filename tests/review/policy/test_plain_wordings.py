"""Flags raised by wordings that never name the flag's usual words (sentences invented for the tests)."""

from __future__ import annotations

import pytest

from tests.review.policy.helpers import names


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # Who signs, and the client's product switched or its terms kept.
        ("Mandate: either to sign up to £10k, both above that.", "account_terms"),
        ("So Anna needs to come off the mandate and Joe goes on.", "account_terms"),
        ("I was told my card would be moved onto the Traveller card, no fees abroad.", "account_terms"),
        ("Please keep the term as it is, we don't want to extend it.", "account_terms"),
        ("Could the limit on my card go up to eight thousand?", "account_terms"),
        # Forbearance and a fund that stops dealing.
        ("Is there any chance of a three-month holiday on the repayments at the start?", "account_terms"),
        ("The property fund suspended dealing yesterday, so no one can sell units.", "account_terms"),
        # A price quoted as an amount, and a product pitched to the client.
        ("For your car it would cost £4.20 a month.", "fees_pricing"),
        ("JS presented a hedging proposal - cover 40% of USD costs. Client declined.", "advice"),
        # Decline in plain words, and a charge disputed without the word "complaint".
        ("I'm sorry to hear his memory has been getting worse.", "vulnerable_customer"),
        ("I'm not sure she understood what she was signing.", "vulnerable_customer"),
        ("I don't think we should be paying for those when your system caused it.", "complaint"),
        # Suitability and recommendation requests without "recommend".
        ("Given your goals, the cautious portfolio looks the better fit for you.", "advice"),
        ("We think the income fund is more appropriate given your age.", "advice"),
        ("Should we be looking at an annuity rather than drawdown?", "advice"),
        ("Can you tell me which of the two funds I should pick?", "advice"),
        # Grievances and redress without "complaint".
        ("This is the second time you've lost my paperwork and I'm not putting up with it.", "complaint"),
        ("I'd like this escalated to a manager please.", "complaint"),
        ("Your team promised a call back and nobody rang.", "complaint"),
        ("Frankly it's been a nightmare dealing with your mortgage team.", "complaint"),
        ("I want an apology and an explanation of what went wrong.", "complaint"),
        # Money, prices, arrangements and abuse in other words.
        ("I need £20k released from the ISA by Friday.", "money_movement"),
        ("We'll send the completion monies on Friday.", "money_movement"),
        ("Could you price the renewal a bit sharper?", "fees_pricing"),
        ("We've agreed a payment arrangement of £200 a month.", "account_terms"),
        ("I'm worried my nephew is taking money from her account.", "vulnerable_customer"),
    ],
)
def test_plain_wording_raises_the_flag(text: str, flag: str) -> None:
    assert flag in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Next step: investment proposal meeting once the account is open.", "advice"),
        ("There are no changes to the mandate or its guidelines this quarter.", "account_terms"),
        ("I shouldn't have been charged a fee for this transfer.", "complaint"),
        ("Traffic was a nightmare this morning, sorry I'm late.", "complaint"),
        ("I'll speak to the manager at the branch about the parking.", "complaint"),
        ("I'm not sure which day suits me best, Tuesday probably.", "advice"),
        ("What is the first step I should take now my card is stolen?", "advice"),
        ("We paid the deposit back in March and that all went fine.", "money_movement"),
        ("I think someone is using my card without my permission.", "vulnerable_customer"),
    ],
)
def test_near_misses_do_not_raise_the_flag(text: str, flag: str) -> None:
    assert flag not in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("We'd like to pay off the loan early with the bonus.", "money_movement"),
        ("Please send it back to the account it came from.", "money_movement"),
        ("The money needs to be in the solicitor's account by Thursday.", "money_movement"),
        ("Could you increase my monthly contribution to £600?", "money_movement"),
        ("Please stop the monthly £200 going into the fund.", "money_movement"),
        ("The policy lapsed because the premium wasn't paid.", "account_terms"),
        ("Can we change the account from joint to sole names?", "account_terms"),
        ("What's the sum assured on the life policy?", "account_terms"),
        ("I'm a US citizen, can I still open the ISA?", "account_terms"),
        ("Which is better for us, the fix or the tracker?", "advice"),
        ("Can you help me choose between the two funds?", "advice"),
        ("I've been passed from pillar to post for three weeks.", "complaint"),
        ("I'm seriously thinking of moving banks over this.", "complaint"),
        ("This isn't right and I want it fixed today.", "complaint"),
        ("I've been unwell for months and couldn't deal with the post.", "vulnerable_customer"),
        ("My memory isn't what it was, so please write it down.", "vulnerable_customer"),
        ("I've been suffering with anxiety since the accident.", "vulnerable_customer"),
        ("I'm worried about losing the house.", "vulnerable_customer"),
    ],
)
def test_everyday_wording_raises_the_flag(text: str, flag: str) -> None:
    assert flag in names(text)


def test_money_paid_into_the_solicitors_account_is_no_legal_matter() -> None:
    flags = names("The money needs to be in the solicitor's account by Thursday.")
    assert "money_movement" in flags and "tax_legal" not in flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("It's been twelve days and the money still isn't there, which frankly isn't on.", "complaint"),
        ("Your colleague was rude to my wife on the phone.", "complaint"),
        ("I've had enough of chasing this.", "complaint"),
        ("It's been twelve days and the money still isn't there.", "money_movement"),
        ("The £12,500 is due to go out on Monday.", "money_movement"),
        ("I'd like to set up a regular gift to my grandson.", "money_movement"),
        ("Is my son covered while he's at university?", "account_terms"),
        ("The credit team approved the increase to £400k.", "account_terms"),
        ("What's the notice to withdraw on the saver?", "account_terms"),
        ("Since Tom passed I've been dealing with everything myself.", "vulnerable_customer"),
        ("Based on what you've told me, I'd go with the balanced fund.", "advice"),
        ("I think you'd be better off in the cautious portfolio.", "advice"),
        ("Is now the right time to sell?", "advice"),
    ],
)
def test_spoken_wording_raises_the_flag(text: str, flag: str) -> None:
    assert flag in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("My credit card was declined at the shop.", "account_terms"),
        ("Since she passed the exam she's been job hunting.", "vulnerable_customer"),
        ("Is the cafe on the corner still on?", "complaint"),
    ],
)
def test_spoken_wording_near_misses_raise_nothing(text: str, flag: str) -> None:
    assert flag not in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("You can access up to 10% each year without penalty.", "account_terms"),
        ("The mortgage offer is valid for six months.", "account_terms"),
        ("The policy renews automatically on 1 May.", "account_terms"),
        ("The account needs a minimum balance of £5,000.", "account_terms"),
        ("Your claim has been approved and we'll pay £2,300.", "account_terms"),
        ("Accidental damage isn't included on your contents policy.", "account_terms"),
        ("Only one of you will need to sign for payments under £10k.", "account_terms"),
        ("The maximum you can borrow is four times salary.", "account_terms"),
        ("Can you increase the overdraft to £20k for the summer?", "account_terms"),
        ("We need to fund the purchase by the 15th.", "money_movement"),
    ],
)
def test_product_terms_in_plain_words_raise_account_terms(text: str, flag: str) -> None:
    assert flag in names(text)


def test_a_deceased_investors_continuing_account_is_not_a_product_term() -> None:
    # The labelled train set holds it as tax and bereavement only.
    assert "account_terms" not in names("It carries on as a continuing account of a deceased investor.")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("The company is being wound up, the liquidator has been appointed.", "tax_legal"),
        ("The accountant wants the dividend vouchers.", "tax_legal"),
        ("Would you steer us towards the growth fund or the income one?", "advice"),
        ("We're thinking of cashing in the bond; good idea?", "advice"),
        ("Given your age, I'd reduce the equity exposure.", "advice"),
        ("How risky is the fund compared with the one I've got?", "advice"),
        ("My son is threatening me for money.", "vulnerable_customer"),
        ("I've been made homeless.", "vulnerable_customer"),
    ],
)
def test_legal_advice_and_harm_wordings_raise_the_flag(text: str, flag: str) -> None:
    assert flag in names(text)


def test_the_firm_threatening_to_close_an_account_is_no_abuse() -> None:
    assert "vulnerable_customer" not in names("You threatened to close my account over a £5 fee.")
