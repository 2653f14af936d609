"""Client asks the clause-by-clause cues in `summary` miss: a note's reported asks, a vague ask the firm answers.

- **a note's report**: "SR asked for the covenant to step down", "MB also pushing margin
  2.25% -> 1.95%", "AM queried custody fee line on last statement"; a bullet about the
  client may drop the subject ("- Wants limit down £9k -> £5k", "- Asked re 0% balance
  transfer"): the note is about the client, so the want is theirs;
- **the firm's report of an ask**: "you asked whether Meridian still belongs in the
  portfolio", "You also asked whether we can open a EUR account" (a reply restating what
  the client asked, often the only place a phoned or older ask is written down);
- **a question about "it" names the document**: "Is it long?" just after "we'll need an
  income and expenditure form from you" is "Whether the income and expenditure form is long";
- **"is it a good idea?" names the plan**: the client's own "I'm thinking of moving an old
  work pension into it" is what "it" asks about;
- **a vague ask takes the firm's answer**: "I want every penny of that back", "And the
  interest?", "can you sort it out?" name nothing on their own; the commitment the firm
  makes in reply ("I'll include any interest charged on those fees in the same request")
  says what was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.rules import commitments as cm
from pipeline.rules.decisions import named_document
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause

Word = Callable[[str, Clause], str]
"""Writes a raw phrase from a clause as a third-person ask (people by role)."""

NOTED_ASK = re.compile(
    r"\b(?P<who>client|[A-Z]{2,4}|[A-Z][a-z]+)(?:\s+also)?\s+(?P<how>wants?|asked(?:\s+(?:for|if|whether|about|to|re))?|"
    r"requested|would like|keen (?:to|on)|pushed (?:on|for)|pushing(?:\s+(?:on|for))?|queried)\s+"
    r"(?P<what>(?:[^.;]|\.(?=\d)){4,160})"
)
# A bullet that leaves out its subject: "- Wants husband Ewan as additional cardholder".
_BARE_NOTED_ASK = re.compile(
    r"^(?P<how>wants?|asked(?:\s+(?:for|if|whether|about|re))?|queried|requested|would like)\s+"
    r"(?P<what>(?:[^.;]|\.(?=\d)){4,160})", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_REPORTED_ASK = re.compile(r"\byou (?:also )?asked (?P<how>whether|if|about|for)\s+(?P<what>[^.;?!]{6,160})",
                           re.IGNORECASE)
_VAGUE = re.compile(r"^(?:the|that|this|it|some|any)(?:\s+[\w-]+){1,2}$|\b(?:of )?(?:that|it|this)(?:\s+back)?$"
                    r"|^what happens(?:\s+(?:now|next|then))?$"
                    r"|^(?:sort|fix|deal with|look into|handle|sort out)\s+(?:it|that|this)\b", re.IGNORECASE)


# "I'll include any interest..." is the task "Include any interest...".
_OWN_LEAD = re.compile(r"^(?:(?:so|and|okay|ok|right|yes|sure|of course|good point|that's a fair point)[,.]?\s+)*"
                       r"(?:I|we)"
                       r"(?:'ll|’ll| will|(?:'m|’m| am|'re|’re| are) going to)\s+(?:also\s+)?", re.IGNORECASE)


_PRONOUN_OBJECT = re.compile(r"^(?:the firm will\s+)?\w+(?:\s+(?:up|over|on|through))?\s+(?:it|that|this|them)\b",
                             re.IGNORECASE)


def _lead(how: str) -> str:
    how = how.lower()
    return "Whether " if how.endswith(("if", "whether")) else "About " if how.endswith(("about", " re")) else ""


def noted_asks(clause: Clause, text: str, resolver: OwnerResolver, word: Word) -> list[str]:
    """Asks a meeting note reports, with or without the client named as the subject."""
    out = []
    for m in NOTED_ASK.finditer(clause.text):
        who = resolver.participant(m["who"])
        if m["who"].lower() != "client" and (who is None or who.side != "client"):
            continue
        what = re.sub(r"^(?:it|this|that)\s+", "", m["what"].strip(), flags=re.IGNORECASE)
        # After a note's dash comes the firm's reply: "EK asked if limit can go higher - UW unlikely to agree".
        what = re.split(r"\s+[-–—]\s+", what, maxsplit=1)[0]
        out.append(word(_lead(m["how"]) + what, clause))
    line = text[text.rfind("\n", 0, clause.start) + 1 : clause.start]
    bare = _BARE_NOTED_ASK.match(clause.text.strip())
    if not out and bare and _BULLET.match(line) and not line[_BULLET.match(line).end():].strip():
        out.append(word(_lead(bare["how"]) + bare["what"].strip(), clause))
    return out


def reported_asks(clause: Clause, resolver: OwnerResolver, word: Word) -> list[str]:
    """What the firm's reply says the client asked ("you asked whether Meridian still belongs...")."""
    speaker = resolver.participant(clause.speaker)
    if speaker is None or speaker.side != "firm":
        return []
    return [word(_lead(m["how"]) + m["what"].strip(), clause) for m in _REPORTED_ASK.finditer(clause.text)]


def vague(ask: str) -> bool:
    """An ask that names nothing on its own ("Every penny of that back", "The interest")."""
    return bool(_VAGUE.search(ask.strip()))


def firm_answer(clauses: list[Clause], index: int, resolver: OwnerResolver, kind: str, word: Word) -> str | None:
    """The firm's commitment in the very next turn after a client's ask, worded as a task.

    Only the next turn answers: a commitment two turns on ("I'll email you the claim
    confirmation") is about something else by then.
    """
    turn = clauses[index].turn
    for clause in clauses[index + 1 :]:
        if clause.turn > turn + 1:
            break
        speaker = resolver.participant(clause.speaker)
        if clause.turn == turn or speaker is None or speaker.side != "firm":
            continue
        found = cm.detect(clause.text.strip(), written=kind != "call_transcript", notes=kind == "meeting_notes")
        if found is not None and found.kind != "request":
            answer = word(_OWN_LEAD.sub("", clause.text.strip(), count=1), clause)
            # "Put it to pricing" names no more than "The margin" did.
            return None if _PRONOUN_OBJECT.match(answer) else answer
    return None


def with_document(ask: str, before: str) -> str:
    """A question's bare "it" as the document named just before, when one is ("Whether it is long")."""
    # Only "it" as the subject: in "vote for it" the object is the thing talked about, not a form.
    pronoun = re.search(r"\bit(?=\s+(?:is|was|will|would|has|needs?|takes?|goes|comes|can|should)\b)", ask)
    if pronoun is None or not re.match(r"(?:whether|what|how|when|where|why)\b", ask, re.IGNORECASE):
        return ask
    document = named_document(" ".join(before[-400:].split()), "it")
    return ask[: pronoun.start()] + "the " + document + ask[pronoun.end() :] if document else ask


_ADVICE_ON_IT = re.compile(r"^whether it(?:'s|’s| is| would be)\s+(?P<judgement>(?:a )?(?:good|bad|sensible|wise) idea"
                           r"|worth (?:it|doing)|the right (?:thing|move|choice))", re.IGNORECASE)
_PLAN = re.compile(r"\b(?:thinking of|thinking about|planning to|planning on|considering|looking at)\s+"
                   r"(?P<plan>[^.,;?!]{6,100})", re.IGNORECASE)


def with_plan(ask: str, client_before: str, voice: Callable[[str], str] = str) -> str:
    """The client's "Whether it is a good idea" as "Whether <the plan they stated> is a good idea"."""
    judged = _ADVICE_ON_IT.match(ask)
    plans = list(_PLAN.finditer(client_before))
    if judged is None or not plans:
        return ask
    plan = voice(plans[-1]["plan"].strip())
    return f"Whether {plan[0].lower() + plan[1:]} is {judged['judgement']}{ask[judged.end():]}"


def in_context(ask: str | None, index: int, clauses: list[Clause], resolver: OwnerResolver, kind: str,
               word: Word) -> str | None:
    """A client's ask read with what was said around it: its document, its plan, or the firm's answer."""
    if ask is None:
        return ask
    # Only the turn just before: by two turns on, "it" has moved on from the form it named.
    turn = clauses[index].turn
    ask = with_document(ask, " ".join(c.text for c in clauses[:index] if c.turn == turn - 1))
    ask = with_plan(ask, " ".join(c.text for c in clauses[:index] if c.speaker == clauses[index].speaker),
                    lambda raw: word(raw, clauses[index]))
    if not vague(ask):
        return ask
    answer = firm_answer(clauses, index, resolver, kind, word)
    if answer and ask.lower().startswith("what happens"):
        return f"What happens next: {answer[0].lower() + answer[1:]}"  # the answer says what the client asked about
    return answer or ask
