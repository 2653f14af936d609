"""Email threads split into messages (`pipeline.rules.turns`), the newest first whatever the file's order."""

from __future__ import annotations

from pipeline.rules.turns import email_clauses, email_messages
from pipeline.schemas import Participant

PEOPLE = [Participant(name="Kofi Mensah", role="client", side="client"),
          Participant(name="Hannah Cole", role="relationship_manager", side="firm")]
# A mailbox lists its messages oldest first.
MAILBOX = """From: Kofi Mensah <kofi@example.net>
To: Hannah Cole <hannah@bank.example>
Date: Mon, 05 Oct 2026 08:31:12 +0100
Subject: Pensions

Can you start the transfers?

From: Hannah Cole <hannah@bank.example>
To: Kofi Mensah <kofi@example.net>
Date: Wed, 07 Oct 2026 14:05:40 +0100
Subject: RE: Pensions

Please check with each provider first.

From: Kofi Mensah <kofi@example.net>
To: Hannah Cole <hannah@bank.example>
Date: Mon, 12 Oct 2026 19:47:03 +0100
Subject: RE: Pensions

Please send me the transfer form.
"""


def test_a_mailbox_listed_oldest_first_has_its_last_message_as_the_newest() -> None:
    assert [m.index for m in email_messages(MAILBOX)] == [2, 1, 0]
    clauses, _ = email_clauses(MAILBOX, PEOPLE)
    newest = [c.text for c in clauses if not c.quoted]
    assert newest == ["Please send me the transfer form."]


def test_a_reply_quoting_older_mail_below_it_keeps_the_top_message_newest() -> None:
    reply = ("From: Kofi Mensah\nDate: Mon, 12 Oct 2026 19:47:03 +0100\n\nThanks.\n\n-----Original Message-----\n"
             "From: Hannah Cole\nSent: Wed, 07 Oct 2026 14:05:40 +0100\n\nPlease check with each provider first.\n")
    assert [m.index for m in email_messages(reply)] == [0, 1]
