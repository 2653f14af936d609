"""Writing a drafted action out: its description, type and close condition, and its evidence span."""

from __future__ import annotations

import re

from pipeline.rules import commitments as cm
from pipeline.rules import patterns as pt
from pipeline.rules.action_types import TYPE_PRECEDENCE, classify_type
from pipeline.rules.conversation import PendingAction
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.schemas import Action, ActionType, Evidence


def _clientise(text: str, resolver: OwnerResolver) -> str:
    """Write client-side participants as "the client", so "DP to update OB" reads as a reply to the client."""

    def swap(m: re.Match[str]) -> str:
        p = resolver.participant(m.group())
        return "the client" if p is not None and p.side == "client" else m.group()

    return re.sub(r"\b[A-Z]{2,4}\b|\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}\b", swap, text)


def _action_type(d: PendingAction, resolver: OwnerResolver) -> ActionType:
    """The guide's ordered type rules over the whole deliverable: the highest-ranked part wins."""
    if d.detection.kind == "signoff":
        return "approval"
    types = [
        classify_type(_clientise(c.text, resolver), verb=d.detection.verb if c is d.clause else _verb_of(c.text),
                      owner_side=d.side, owner_is_team=d.is_team, sentence=c.sentence_text, context=c.line_text)
        for c in [d.clause, *d.merged_from]
    ]
    return min(types, key=TYPE_PRECEDENCE.index)


def _verb_of(text: str) -> str:
    m = pt.FIRST_PERSON.search(text)
    return m.group("verb") if m else ""


def _description(clause: Clause, det: cm.Detection) -> str:
    text = clause.text.strip()
    m = re.search(rf"\b{re.escape(det.verb)}\b", text) if det.verb else None
    body = text[m.start():] if m and det.kind != "signoff" else text
    body = re.sub(r"[\s.?!,;]+$", "", body)
    body = body[0].upper() + body[1:] if body else text
    return body[:160]


def _close_condition(action_type: str, description: str) -> str:
    return {
        "approval": "Decision recorded and communicated",
        "case": "Case reference recorded",
        "internal_request": "Team's answer received",
        "client_response": "Client has received it",
    }.get(action_type, "Done and confirmed") + f": {description[:80]}"


def build_action(d: PendingAction, text: str, resolver: OwnerResolver) -> Action:
    """The finished action: description, type, close condition, and its evidence as an exact span of `text`."""
    action_type = _action_type(d, resolver)
    description = " ".join(_description(d.clause, d.detection).split())  # a hard-wrapped email reads as one line
    return Action(
        description=description,
        owner=d.owner,
        owner_side=d.side,  # type: ignore[arg-type]
        due=d.due,
        type=action_type,
        close_condition=_close_condition(action_type, description),
        evidence=Evidence(text=text[d.clause.start : d.end], start=d.clause.start, end=d.end),
    )
