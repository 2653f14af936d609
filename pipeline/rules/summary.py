"""The interaction summary fields the rules engine can fill from surface cues.

Deliberately modest: client asks are the client's questions and requests, decisions are
things agreed or done during the interaction, concerns and preferences come from a few
explicit phrasings. A vague note yields almost nothing, which is the honest answer.
"""

from __future__ import annotations

import re
from datetime import datetime

from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.schemas import Action, InteractionSummary, Participant, Purpose, Sentiment, SummaryParticipant

_ASK = re.compile(r"\?\s*$|\b(?:could|can|would) you\b|\bplease\b|\bI (?:want|would like|'d like|need)\b",
                  re.IGNORECASE)
_DONE = re.compile(r"\bI(?:'ve|’ve| have) (?:just )?(?:cancelled|updated|sent|put|logged|changed|registered|"
                   r"added|stopped|set up|forwarded|asked)\b|\bagreed\b|\bthat's sent\b", re.IGNORECASE)
_CONCERN = re.compile(r"\b(?:worried|concerned|unhappy|not happy|fed up|frustrat\w+|disappointed|dreading|"
                      r"complain\w*|not acceptable|scare)\b", re.IGNORECASE)
_PREFERENCE = re.compile(r"\b(?:mornings?|afternoons?|evenings?) (?:are|is) best\b|\bI(?:'d| would) prefer\b|"
                         r"\bprefer(?:s|red)?\b|\bwould rather\b", re.IGNORECASE)
_NEGATIVE = re.compile(r"\b(?:not happy|fed up|unacceptable|not acceptable|complaint|angry|screaming|"
                       r"worried|upset|dreading)\b", re.IGNORECASE)
_POSITIVE = re.compile(r"\b(?:thanks a million|brilliant|wonderful|lovely|great|perfect|splendid|"
                       r"very clear|comfortable|relief|happy with)\b", re.IGNORECASE)
_SENSITIVE = re.compile(r"\b(?:recommend\w*|complain\w*|transfer|payment|payee|fee|charge|rate|premium|limit|"
                        r"covenant|exclusion|excess|died|bereave\w*|redundan\w*|diagnos\w*|tax|probate|trust|will)\b",
                        re.IGNORECASE)
_CHANNELS = {"call_transcript": "phone", "email": "email", "meeting_notes": "meeting"}


def _sentiment(client_text: str) -> Sentiment:
    negative = len(_NEGATIVE.findall(client_text))
    positive = len(_POSITIVE.findall(client_text))
    if negative and positive:
        return "mixed" if positive >= negative else "negative"
    return "negative" if negative else "positive" if positive else "neutral"


def build_summary(
    *,
    text: str,
    kind: str,
    occurred_at: datetime,
    participants: list[Participant],
    client: str,
    purpose: Purpose,
    clauses: list[Clause],
    resolver: OwnerResolver,
    actions: list[Action],
) -> InteractionSummary:
    """Assemble the summary from clauses, actions and the purpose already chosen."""
    client_clauses = [
        c for c in clauses if (p := resolver.participant(c.speaker)) is not None and p.side == "client"
    ]
    channel = _CHANNELS.get(kind, "other")
    if kind == "meeting_notes" and re.search(r"\b(?:video|teams|zoom)\b", text[:300], re.IGNORECASE):
        channel = "video call"
    elif kind == "meeting_notes" and re.search(r"\bphone\b", text[:300], re.IGNORECASE):
        channel = "phone"
    client_text = " ".join(c.text for c in client_clauses)
    return InteractionSummary(
        client=client,
        kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred_at,
        channel=channel,
        participants=[SummaryParticipant(name=p.name, role=p.role, side=p.side) for p in participants],
        purpose=purpose,
        key_facts=[c.text for c in clauses if re.search(r"[£$€]\s?\d|\d%|\bper cent\b", c.text)][:8],
        client_asks=[c.text for c in client_clauses if _ASK.search(c.text) and len(c.text) > 15][:8],
        concerns=[c.text for c in client_clauses if _CONCERN.search(c.text)][:5],
        preferences=[c.text for c in client_clauses if _PREFERENCE.search(c.text)][:5],
        decisions=[c.text for c in clauses if _DONE.search(c.text)][:8],
        sentiment=_sentiment(client_text),
        sensitive_points=[c.text for c in clauses if _SENSITIVE.search(c.text)][:8],
        before_next_interaction=[
            a.description + (f" (due {a.due.deadline.isoformat()})" if a.due.deadline else "") for a in actions
        ],
    )
