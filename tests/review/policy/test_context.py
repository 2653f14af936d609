"""Context that raises no flag (signatures, the bank's disclaimers, open-ended offers), and hard-wrapped text.

Sentences invented for the tests, not taken from any evaluation split.
"""

from __future__ import annotations

import pytest

from review.policy import apply_policy
from review.policy.normalise import unwrap

FOOTER_EMAIL = """From: Priya Shah <priya.shah@harbourvale.example>
To: Daniel Okafor <d.okafor@mail.example>
Subject: Your statement

Hi Daniel,

Thanks for your call this morning. I have attached the statement you asked
for and will ring you on Friday to go through it. If you ever need to move
money between your accounts, just give me a ring.

Kind regards,
Priya Shah
Senior Relationship Manager | Payments & Trusts Desk
Harbour & Vale Bank plc | 020 7946 0000

This email and any attachments are confidential and intended solely for the
addressee. If you have received it in error please tell us and delete it.
Harbour & Vale Bank plc is authorised by the Prudential Regulation Authority
and regulated by the Financial Conduct Authority and the Prudential
Regulation Authority. Eligible deposits are protected by the Financial
Services Compensation Scheme. We will never ask you to transfer money to a
safe account or to tell us your PIN or password. If you are unhappy with our
service you can refer your complaint to the Financial Ombudsman Service.
Fraudsters may pretend to be from the bank and ask you to make a payment.
The value of investments can fall as well as rise and you may get back less
than you invested. Tax treatment depends on your individual circumstances
and may change in the future.
"""


def names(text: str) -> set[str]:
    return {f.flag for f in apply_policy(text)}


def test_signature_and_the_banks_own_disclaimers_raise_nothing() -> None:
    assert names(FOOTER_EMAIL) == set()


def test_a_real_request_above_the_signature_still_counts() -> None:
    text = FOOTER_EMAIL.replace("just give me a ring.", "just give me a ring.\n\nPlease move £15,000 to the\n"
                                "new payee I sent you on Monday, their bank details have changed.")
    flags = [f for f in apply_policy(text) if f.flag == "money_movement"]
    assert flags and all(text[f.start:f.end] == f.text for f in flags)


def test_hard_wrapped_sentences_are_read_whole() -> None:
    # "move ... into the ... fund" is one pattern; wrapped at the width it spans two lines.
    text = ("Following our review I think we should look at moving part of the portfolio\n"
            "> into the global equity fund before the end of the tax year, if you agree.\n")
    flags = apply_policy(text)
    assert "advice" in {f.flag for f in flags}
    assert all(text[f.start:f.end] == f.text for f in flags)


def test_unwrap_joins_only_width_filled_lines_and_maps_back() -> None:
    text = ("Could you please arrange for the quarterly fee to be taken from my\n"
            "> current account rather than the portfolio from now on, thanks.\n\n"
            "Daniel Okafor: a transcript turn that is long enough to fill the width\n"
            "Priya Shah: yes\n- a list item that is also quite long, long enough to wrap\n- another\n")
    joined, index = unwrap(text)
    assert "from my current account" in joined
    assert "width\nPriya Shah:" in joined and "wrap\n- another" in joined
    assert len(index) == len(joined) + 1
    assert all(joined[i] == text[index[i]] for i in range(len(joined)) if joined[i] != " ")


@pytest.mark.parametrize("text", [
    "If you ever need to transfer money abroad, just let me know.",
    "Should you at any point want to make a payment by phone, give us a call.",
    "If there's anything else about the account, just give me a ring.",
    "Best regards,\nAnna Berg\nHead of Payments Operations",
])
def test_open_offers_and_signatures_raise_nothing(text: str) -> None:
    assert names(text) == set()


@pytest.mark.parametrize(("text", "flag"), [
    ("If you want to move the £50,000 into the bond, would the fee go up?", "money_movement"),
    ("Thanks, please transfer £2,000 to my son's account today.", "money_movement"),
    ("I'm not happy with the service and I want to make a complaint.", "complaint"),
    ("Regards to your wife. We should talk about your inheritance tax position.", "tax_legal"),
])
def test_conditional_questions_and_real_requests_still_flag(text: str, flag: str) -> None:
    assert flag in names(text)



def test_a_reply_attribution_line_is_a_header_not_a_rate() -> None:
    # "Apr" in "10 Apr" would otherwise read as an annual percentage rate.
    text = "Thanks, noted.\n\nOn Thu, 9 Apr 2026 at 14:20, Maya Lund wrote:\n> See you on Friday.\n"
    assert names(text) == set()


@pytest.mark.parametrize("text", [
    "Agent: And they'll never ask for your PIN or your password, so if anyone does, just put the phone down.",
    "Harbour Bank will never ask you to change payment details by email.",
])
def test_a_spoken_or_written_fraud_warning_raises_nothing(text: str) -> None:
    assert names(text) == set()
