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
    ],
)
def test_near_misses_do_not_raise_the_flag(text: str, flag: str) -> None:
    assert flag not in names(text)
