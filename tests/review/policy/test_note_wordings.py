"""RM meeting notes: abbreviations and the third person still raise their flags (sentences invented for the tests)."""

from __future__ import annotations

import pytest

from tests.review.policy.helpers import names


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("- Client to set up DD for the loan.", "money_movement"),
        ("- SO of £500/m to son's acct to be amended.", "money_movement"),
        ("- xfer of £10k to ISA agreed.", "money_movement"),
        ("- w/d £5k from GIA next wk.", "money_movement"),
        ("- Income of £800 pcm from the portfolio to continue.", "money_movement"),
        ("Can you move the maturing bond into my savings?", "money_movement"),
        ("I want to change where my pension is paid.", "money_movement"),
        ("- ERC 3% applies until 2027.", "fees_pricing"),
        ("It's £15 a month for the packaged account.", "fees_pricing"),
        ("Your renewal quote is £640.", "fees_pricing"),
        ("- OD renewal due Mar.", "account_terms"),
        ("- POA docs received, ops to register.", "account_terms"),
        ("The claim's been declined because of the wear-and-tear exclusion.", "account_terms"),
        ("The fixed rate ends in July and you'd move to the variable.", "account_terms"),
        ("- Lost job in Oct, struggling with mortgage.", "vulnerable_customer"),
        ("- Client anxious and tearful during the call.", "vulnerable_customer"),
        ("I've had to stop working to look after my husband.", "vulnerable_customer"),
        ("We're really struggling since the business closed.", "vulnerable_customer"),
        ("- Client unhappy with the handling of the claim.", "complaint"),
        ("- JM unhappy with the delay on the valuation.", "complaint"),
        ("- Discussed ATR, client now 5/7.", "advice"),
        ("- Proposed moving 20% into bonds.", "advice"),
        ("Would you say the bond is a safe bet?", "advice"),
    ],
)
def test_note_wording_raises_the_flag(text: str, flag: str) -> None:
    assert flag in names(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # Abbreviations match in upper case only: "so", "od" and "dd/mm" are other words.
        ("I told her so, and she agreed.", "money_movement"),
        ("Date of birth in dd/mm/yyyy, please.", "money_movement"),
        ("The bond matures on 30 June.", "account_terms"),
        ("I'm very distressed that my new card isn't working.", "vulnerable_customer"),
        ("I'm struggling to log in to the app.", "vulnerable_customer"),
    ],
)
def test_note_wording_near_misses_do_not_raise_the_flag(text: str, flag: str) -> None:
    assert flag not in names(text)
