"""Writing a drafted action out: its description, type and close condition, and its evidence span."""

from __future__ import annotations

import re

from pipeline.rules import commitments as cm
from pipeline.rules import patterns as pt
from pipeline.rules.action_types import TYPE_PRECEDENCE, classify_type
from pipeline.rules.conversation import PendingAction
from pipeline.rules.decisions import without_phrase
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.wording import Voices, task_wording, tidy_tail
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
        # A wanted outcome ("I'd like a copy of my statement") is typed as the task it words.
        classify_type(_clientise(wanted_task(c.text) if c is d.clause and d.detection.verb == cm.WANTED else c.text,
                                 resolver), verb=d.detection.verb if c is d.clause else _verb_of(c.text),
                      owner_side=d.side, owner_is_team=d.is_team, sentence=c.sentence_text, context=c.line_text)
        for c in [d.clause, *d.merged_from]
    ]
    best = min(types, key=TYPE_PRECEDENCE.index)
    # Answering a client's question is a message back to them, unless it seeks a sign-off.
    return "client_response" if d.detection.verb == cm.ANSWER and best == "task" else best


def _verb_of(text: str) -> str:
    m = pt.FIRST_PERSON.search(text)
    return m.group("verb") if m else ""


def _description(d: PendingAction, text: str, resolver: OwnerResolver) -> str:
    clause, det = d.clause, d.detection
    whole = clause.text.strip()
    # The detected verb, not an earlier one ("If you can send us the invoice, I'll send a request...").
    # Detection offsets count from the clause without its list marker ("- ", "• ").
    start = min(det.start + len(whole) - len(whole.lstrip("-•*( ").strip()), len(whole))
    m = re.compile(rf"\b{re.escape(det.verb)}\b").search(whole, start) if det.verb else None
    body = whole[m.start():] if m and det.kind != "signoff" else whole
    if m is None and det.kind in ("third_party", "commitment") and 0 < start:
        # A notes item without its verb: "SW: council tax bill into branch" is the item itself;
        # "Indicative terms to MB by end of Q1" is sent.
        body = f"{det.verb} {_uncapitalised(whole[start:])}" if det.verb else whole[start:]
    elif m is None and det.verb and det.kind == "commitment" and start == 0 and pt.NOTE_DELIVERY.match(whole):
        body = f"{det.verb} {_uncapitalised(whole)}"
    elif m is None and det.verb == "send" and det.kind == "request":
        body = f"send {_uncapitalised(whole)}"  # a list item naming only the deliverable asked for
    elif det.verb == cm.WANTED:
        body = wanted_task(whole)
    if det.verb == cm.ANSWER:
        asked = " ".join(c.text.strip() for c in [clause, *d.merged_from])
        body = f"answer the question: {_uncapitalised(asked)}"
    body = _with_list(body, text, clause.end)
    # What the clause says before its verb counts as just before: "The forecast is done, I'll email it over".
    before = text[max(0, clause.start - 700) : clause.start] + (" " + whole[: m.start()] if m else "")
    return tidy_tail(task_wording(body, voices=_voices(d, resolver), before=before, resolver=resolver, clause=whole))


_IRREGULAR = {"paid": "pay", "sent": "send", "done": "do", "made": "make", "given": "give", "taken": "take",
              "put": "put", "set": "set", "sorted": "sort", "written": "write", "brought": "bring"}
_PARTICIPLE = re.compile(r"(?<!\bI )(?<!\bwe )(?<!\byou )(?<!\bhe )(?<!\bshe )(?<!\bthey )"
                         r"\b(?P<word>(?:re-)?[a-z]+(?:ed|id|nt|ne|en|de))\b", re.IGNORECASE)


_WANT_OPENING = re.compile(r"^.*?\b(?:(?:I|we)(?:'d|’d| would)? (?:like|want|expect)|writing to (?:request|ask for))"
                           r"\s+", re.IGNORECASE)


def _base(word: str) -> str | None:
    """'re-applied' -> 're-apply', 'refunded' -> 'refund', 'cancelled' -> 'cancel', 'paid' -> 'pay'."""
    prefix, stem = ("re-", word[3:]) if word.lower().startswith("re-") else ("", word)
    lower = stem.lower()
    if lower in _IRREGULAR:
        return prefix + _IRREGULAR[lower]
    if not lower.endswith("ed"):
        return None
    candidates = [lower[:-3] + "y" if lower.endswith("ied") else "", lower[:-1], lower[:-2], lower[:-3]]
    found = next((c for c in candidates if c and c in pt.WRITTEN_WORK_VERBS), None)
    return prefix + found if found else None


def wanted_task(item: str) -> str:
    """A wanted outcome as a task, its participle made the verb.

    "The overpayment re-applied to reduce my payment" -> "re-apply the overpayment to reduce my
    payment"; "A written reply by Friday" -> "send a written reply by Friday".
    """
    text = " ".join(item.split()).rstrip(".")
    want = _WANT_OPENING.search(text)
    if want:
        # "I would like a refund of the charge" -> "provide a refund of the charge"; "I want my money back".
        text = text[want.end() :]
        if re.match(r"(?:my|our) money back\b", text, re.IGNORECASE):
            return "return the money" + text[len(text.split(" back", 1)[0]) + 5 :]
    for m in _PARTICIPLE.finditer(text):
        base = _base(m["word"])
        if base and m.start() > 0:
            thing = text[: m.start()].rstrip(" ,")
            return f"{base} {_uncapitalised(thing)}{text[m.end():]}"
    return f"{'provide' if want else 'send'} {_uncapitalised(text)}"


def _uncapitalised(text: str) -> str:
    """'Indicative terms' -> 'indicative terms'; an acronym ('FY25 accounts') keeps its capitals."""
    if re.match(r"(?:A|An|The)\s", text):
        return text[0].lower() + text[1:]
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _voices(d: PendingAction, resolver: OwnerResolver) -> Voices:
    """The clause's first person (its speaker) and second person (the owner of a request, else the listener)."""
    speaker = resolver.participant(d.clause.speaker)
    is_firm = speaker.side == "firm" if speaker else True
    if d.detection.kind == "request":
        return Voices(speaker.name if speaker else None, is_firm, d.owner)
    listeners = [p for p in (resolver.participant(a) for a in d.clause.addressees) if p is not None]
    other = [p for p in listeners if speaker is None or p.side != speaker.side] or [
        p for p in resolver.participants if speaker is None or p.side != speaker.side]
    return Voices(speaker.name if speaker else None, is_firm, other[0].name if other else None)


_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*•]\s+|\d+[.)]\s+)?(?P<item>\S[^\n]{0,80})$", re.MULTILINE)


def _with_list(body: str, text: str, end: int) -> str:
    """A lead-in ending in a colon ("change the payee details to:") takes the lines it introduces."""
    if not body.rstrip().endswith(":"):
        return body
    block = text[end:].lstrip(" \t:").split("\n\n", 2)
    lines = [m["item"].strip() for m in _LIST_ITEM.finditer(block[0] if block[0].strip() else "\n".join(block[1:2]))]
    items = [line for line in lines if line][:4]
    return body.rstrip().rstrip(":") + " " + ", ".join(items) if items else body


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
    description = _description(d, text, resolver)
    if d.moved and d.first_due is not None:
        # "Send the report by Monday", later moved to Wednesday: the description no longer says Monday.
        description = without_phrase(description, d.first_due.phrase)
    return Action(
        description=description,
        owner=d.owner,
        owner_side=d.side,  # type: ignore[arg-type]
        due=d.due,
        type=action_type,
        close_condition=_close_condition(action_type, description),
        evidence=Evidence(text=text[d.start : d.end], start=d.start, end=d.end),
    )
