"""The setting of an interaction: who took part, who is asked, and when each quoted message was written.

Who a request or a named third party puts work on, and the date of each quoted email message.

The engine (`pipeline.rules.engine`) reads clauses; these helpers answer the questions about
people and time that a clause cannot answer alone.
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.rules import commitments as cm
from pipeline.rules.owners import OwnerResolver, role_team, team_name
from pipeline.rules.turns import Clause, Message, email_messages, transcript_speakers
from pipeline.schemas import Participant


def infer_participants(text: str, *, kind: str, client: str) -> list[Participant]:
    """Guess participants from speaker labels or email headers when none are given.

    The client's name (or a speaker whose name matches it) is client-side; others are firm-side,
    except email senders/recipients whose domain matches the client's address.
    """
    names: list[str] = []
    if kind == "call_transcript":
        names = transcript_speakers(text)
    elif kind == "email":
        for msg in email_messages(text):
            for name in [msg.sender, *msg.recipients, *msg.cc]:
                if name and "@" not in name and name not in names and len(name.split()) <= 4:
                    names.append(name)
    client_words = set(client.lower().split())
    participants = []
    for index, name in enumerate(names):
        is_client = name.lower() == client.lower() or bool(client_words & set(name.lower().split()))
        if kind == "email" and not client_words & set(name.lower().split()) and index == 0 and len(names) == 2:
            is_client = False
        participants.append(Participant(name=name, role="client" if is_client else "other",
                                        side="client" if is_client else "firm"))
    if participants and not any(p.side == "client" for p in participants) and kind == "call_transcript":
        # The caller who is not staff is usually the second speaker on an inbound call.
        last = participants[-1]
        participants[-1] = Participant(name=last.name, role="client", side="client")
    return participants


def request_owner(clause: Clause, resolver: OwnerResolver, clauses: list[Clause], index: int) -> str | None:
    """Who a request is addressed to: a vocative name, else the other side, preferring the next speaker."""
    vocative = re.match(r"^\s*([A-Z][a-z]+),", clause.text)
    if vocative and resolver.participant(vocative.group(1)):
        return resolver.participant(vocative.group(1)).name  # type: ignore[union-attr]
    speaker = resolver.participant(clause.speaker)
    speaker_side = speaker.side if speaker else None
    candidates = [resolver.participant(a) for a in clause.addressees]
    people = [p for p in candidates if p is not None]
    opposite = [p for p in people if p.side != speaker_side] or people
    if not opposite:
        return None
    if len(opposite) > 1:
        for later in clauses[index + 1 :]:
            if later.turn > clause.turn and later.speaker in {p.name for p in opposite}:
                return later.speaker
    return opposite[0].name


def owner_of(
    det: cm.Detection, clause: Clause, resolver: OwnerResolver, clauses: list[Clause], index: int
) -> tuple[str, str, bool] | None:
    """Who owns a detection: (name, side, is a team), or None when nobody identifiable does."""
    if det.kind == "commitment":
        p = resolver.participant(clause.speaker)
        return (p.name, p.side, False) if p else None
    if det.kind == "request":
        name = request_owner(clause, resolver, clauses, index)
        return (name, resolver.side_of(name), False) if name else None
    who = det.who or ""
    p = resolver.participant(who) or _the_client(who, resolver)
    if p:
        return p.name, p.side, False
    if re.search(r"\b(?:team|desk|department|unit|services|operations|relations|support|care|underwriting)$"
                 r"|\bcolleagues? (?:in|from|on)\b", who, re.IGNORECASE):
        return team_name(who), "firm", True
    role = role_team(who)
    return (role, "firm", True) if role else None


_CLIENT_WORD = re.compile(r"(?:the\s+)?(?:client|customer|cust|clt|cl)", re.IGNORECASE)


def _the_client(who: str, resolver: OwnerResolver) -> Participant | None:
    """Notes call the client "client" ("Client to provide 3m bank stmts"): the one client-side participant."""
    if not _CLIENT_WORD.fullmatch(who.strip()):
        return None
    clients = [p for p in resolver.participants if p.side == "client"]
    named = [p for p in clients if p.role == "client"]
    return (named or clients)[0] if len(named or clients) == 1 else None


_SENT = re.compile(r"^[> ]*(?:Sent|Date):\s*(?P<when>.+)$", re.MULTILINE)
_WROTE = re.compile(r"^[> ]*On\s(?P<when>.{4,80}?)(?:,\s*at\s[\d:]+)?(?:,|\s+at\s)[^\n]*wrote:\s*$", re.MULTILINE)


def sent_dates(text: str, messages: list[Message]) -> dict[int, date]:
    """The date in each quoted message's 'Sent:'/'Date:' header or 'On ..., X wrote:' line."""
    import dateparser  # Imported lazily: it is slow to load and rarely needed.

    found: dict[int, date] = {}
    for msg in messages[1:]:
        head = _SENT.search(text, msg.start, min(msg.end, msg.start + 400))
        lines = [m for m in _WROTE.finditer(text, max(0, msg.start - 300), msg.start + 200) if m.start() < msg.start]
        line = lines[-1] if lines else _WROTE.search(text, msg.start, msg.start + 200)
        when = head["when"] if head else line["when"] if line else None
        parsed = dateparser.parse(when, languages=["en"], settings={"DATE_ORDER": "DMY"}) if when else None
        if parsed is not None:
            found[msg.index] = parsed.date()
    return found
