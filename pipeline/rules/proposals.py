"""What the firm put to the client: its recommendations and proposals, and the offers the client took up.

Two summary fields come from the firm's side of the conversation, not the client's:

- **decisions**: a recommendation or proposal the firm states outright ("our recommendation
  is to rebalance back to sixty-forty", "we're proposing to keep interest cover at three
  times", "what I'd like to do is put forward a reduced payment plan") is what was decided
  on the firm's side, noted "Recommended: ..." or "Proposed: ...". One said under a
  condition ("if it does go into a trust, I'd recommend...") decides nothing yet, and a
  question ("would you recommend...?") is an ask, not a decision;
- **client asks**: an offer the client accepts in the next turn ("Would you like me to
  cancel it?" - "Yes, please") is something the client asked for, though the firm put it
  into words. An offer the client declines or ignores is no ask.
"""

from __future__ import annotations

import re

from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.rules.wording import Voices, task_wording

_PROPOSAL = re.compile(
    r"(?P<cue>\b(?i:(?:our|my) recommendation (?:is|would be)|(?:I|we)(?:'d|’d| would)? recommend(?:ing)?"
    r"|(?:I'm|I’m|I am|we're|we’re|we are) (?:recommending|proposing)|(?:I|we)(?:'d|’d| would)? propose"
    r"|the proposal is|what (?:I|we)(?:'d|’d| would) like to do is)"
    # A note's "KM recommended staying at 3.5%".
    r"|\b[A-Z]{2,4} (?:recommended|proposed))"
    r"\s+(?:(?i:to|that)\s+)?(?:(?i:put forward|offer|suggest)\s+)?(?P<what>(?:[^.;!?]|\.(?=\d)){6,200})"
)
_CONDITION = re.compile(r"\b(?:if|unless|whether)\b", re.IGNORECASE)
_OFFER = re.compile(
    r"\b(?i:would you like me to|do you want me to|did you want me to|shall I|want me to)\s+(?P<what>[^?.;!]{4,160})\?"
    r"|\b(?i:I can)\s+(?P<can>[^?.;!]{4,160}?)\s*,?\s+(?i:if (?:that's|that’s|that is|it's|it’s) (?:easier|simpler|"
    r"better|helpful|quicker)|if you(?:'d|’d| would)? like|if you want)\b"
)
_ACCEPT = re.compile(
    r"^(?:oh,?\s+|um,?\s+|ah,?\s+)?(?:yes|yeah|yep|aye|please|sure|go on|go ahead|that(?:'d|’d| would|'ll|’ll| will) be"
    r"|perfect|lovely|great|brilliant|ok|okay|fine|I(?:'d|’d| would) like that|sounds good|if you could|would you)\b",
    re.IGNORECASE,
)
_DECLINE = re.compile(r"^(?:oh,?\s+)?(?:no|nah|not|don't|don’t|I'm fine|I’m fine)\b", re.IGNORECASE)
# Where an offer goes on past what is offered: "..., to the address we hold, the gallagherng one".
_OFFER_END = re.compile(r",\s+(?:to|so|as|and|which|the)\b|\s+(?:so that|so you|while)\b", re.IGNORECASE)
_BANKING_THING = re.compile(
    r"\b(?:the|that|this|your|his|her|my|our)\s+(?P<thing>(?:[\w-]+\s+){0,3}?(?:direct debit|standing order|payment|"
    r"card|account|subscription|transfer|payee|claim|complaint|policy|loan|order|collection|instruction|mandate))\b",
    re.IGNORECASE,
)
_PRONOUN_OBJECT = re.compile(r"^(?P<verb>\w+(?:\s+(?:off|back|up|out))?)\s+(?:it|that|them)\b", re.IGNORECASE)


def named_thing(before: str) -> str | None:
    """The thing the latest sentence naming one is about: "that direct debit on the joint account" is the debit."""
    for sentence in reversed(re.split(r"(?<=[.?!])\s+", before)):
        found = _BANKING_THING.search(sentence)
        if found:
            return found["thing"]
    return None


def _firm(clause: Clause, resolver: OwnerResolver) -> bool:
    speaker = resolver.participant(clause.speaker)
    return speaker is not None and speaker.side == "firm"


def _roles(clause: Clause) -> Voices:
    # The firm speaks: "you" is the client, "we" and "our" the firm, and no names are needed.
    return Voices(None, True, None)


def recommendations(clauses: list[Clause], resolver: OwnerResolver) -> list[str]:
    """The firm's recommendations and proposals, each "Recommended: ..." or "Proposed: ..."."""
    out = []
    for clause in clauses:
        if clause.quoted or not _firm(clause, resolver) or clause.text.rstrip().endswith("?"):
            continue
        for m in _PROPOSAL.finditer(clause.text):
            if _CONDITION.search(clause.text[: m.start()]):
                continue
            what = task_wording(m["what"], voices=_roles(clause), before="", resolver=resolver)
            label = "Recommended" if "recommend" in m["cue"].lower() else "Proposed"
            out.append(f"{label}: {what[0].lower() + what[1:]}")
    return out


def accepted_offers(clauses: list[Clause], resolver: OwnerResolver, text: str) -> list[str]:
    """What the firm offered and the client accepted in the next turn, as the client's asks."""
    out = []
    for index, clause in enumerate(clauses):
        if clause.quoted or not _firm(clause, resolver):
            continue
        offer = _OFFER.search(clause.text)
        reply = next((c for c in clauses[index + 1 :] if c.turn != clause.turn), None)
        if offer is None or reply is None or reply.turn != clause.turn + 1:
            continue
        replier = resolver.participant(reply.speaker)
        answer = reply.text.strip()
        if replier is None or replier.side != "client" or _DECLINE.match(answer) or not _ACCEPT.match(answer):
            continue
        what = offer["what"] or offer["can"]
        cut = _OFFER_END.search(what)
        what = what[: cut.start()] if cut else what
        bare = _PRONOUN_OBJECT.match(what)
        if bare:
            # "cancel it" takes its object from what was just said ("that direct debit on the joint account").
            thing = named_thing(text[max(0, clause.start - 700) : clause.start] + clause.text[: offer.start()])
            if thing is None:
                continue
            what = f"{bare['verb']} the {thing}{what[bare.end():]}"
        out.append(task_wording(what, voices=_roles(clause), before="", resolver=resolver))
    return out
