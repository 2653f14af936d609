"""Control actions: checks the firm owes a request, even when nobody in the text said them.

A written request from the client's side to change a payee's bank details is the textbook
shape of payment-redirection fraud (the email may not be the client's, or may pass on a
fraudster's "we've moved banks"). Whatever else the draft holds, the firm calls the client
back on the number it already holds before changing anything; the rules engine adds that
action, owned by the firm's person the request was sent to, with the request as evidence.
Calls are left alone: there the person is already on the line and the check is made there.
"""

from __future__ import annotations

import re

from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.schemas import Action, Due, Evidence

_CHANGE_REQUEST = re.compile(
    r"\b(?:change|update|amend|replace|switch)\s+(?:the\s+)?(?:payee(?:'s|’s)?|bank|account|beneficiary|payment)\s+"
    r"details\b",
    re.IGNORECASE,
)
_NEW_ACCOUNT = re.compile(r"\bmoved banks\b|\b(?:to|into) (?:their|its|the|a) new (?:bank )?account\b", re.IGNORECASE)
_CALL_BACK = re.compile(r"\b(?:call|ring|phone)\b.*\b(?:back|on file|known number|number (?:we|you) hold)\b",
                        re.IGNORECASE)
CALL_BACK_DUE = "before the payee details are changed"
"""The due phrase of the call-back: it gates the change, it has no date of its own."""


def payee_call_back(*, text: str, kind: str, clauses: list[Clause], resolver: OwnerResolver, client: str,
                    actions: list[Action]) -> Action | None:
    """The call-back a written payee-change request needs, unless the draft already has one."""
    if kind != "email" or any(a.owner_side == "firm" and _CALL_BACK.search(a.description) for a in actions):
        return None
    from_client = [c for c in clauses if not c.quoted and resolver.side(c.speaker) != "firm"]
    # The request itself is the evidence; failing that, the news of a new account.
    asked = [c for c in from_client if _CHANGE_REQUEST.search(c.text)] or [
        c for c in from_client if _NEW_ACCOUNT.search(c.text)]
    for clause in asked[:1]:
        speaker = resolver.participant(clause.speaker)
        owner = _firm_reader(clause, resolver)
        if owner is None:
            return None
        name = speaker.name if speaker else client
        description = (f"Call {name} back on the number already held on file (not one given in the email) to "
                       "confirm the new payee details before changing them")
        return Action(
            description=description, owner=owner, owner_side="firm", due=Due.none(CALL_BACK_DUE), type="task",
            close_condition="Call-back made and its outcome recorded before any change",
            evidence=Evidence(text=text[clause.start : clause.end], start=clause.start, end=clause.end),
        )
    return None



def _firm_reader(clause: Clause, resolver: OwnerResolver) -> str | None:
    readers = [p for p in (resolver.participant(a) for a in clause.addressees) if p is not None and p.side == "firm"]
    firm = readers or [p for p in resolver.participants if p.side == "firm"]
    return firm[0].name if firm else None
