"""The rules engine: deterministic drafting of an interaction summary and its actions.

Pipeline, one pass per step so each can be read and tested alone:

1. `turns`: cut the text into attributed clauses (speaker, addressees, offsets, quoted).
2. `commitments.detect`: which clauses commit, request, or assign work, after exclusions.
3. Ownership: the speaker owns a commitment; the addressee a request; notes and third-party
   clauses name their owner ("BK", "our claims team") and `owners` resolves it.
4. Conversation rules, in text order:
   - a later clause that only corrects or confirms a date ("actually, make that Thursday",
     "Wednesday's fine", "(SR later said Mon 10 Nov - agreed)") moves the latest action's due
     date: the last agreed date wins;
   - a reply that takes up a request with a pro-form ("I can do that tomorrow") dates the
     request instead of becoming a second action; a reply naming its own work ("I'll phone
     them tomorrow") replaces the request;
   - in live conversation a client's request is answered by the firm's commitment, which is
     what gets recorded, so client requests in transcripts create no action themselves;
   - one action per deliverable: a same-speaker follow-up that refers back with a pronoun
     ("...I'll get that over to you today") or delivers what was just prepared ("I'll write
     the paper and we'll take it to committee") extends the action's evidence, and the
     highest-ranked type of its parts applies; a need added "with it" extends the request.
5. Email history: requests in quoted older messages were answered by the newer ones; quoted
   commitments stay actions unless a newer message shows them done ("thanks for sending...",
   "the refund came through") or asks for the same deliverable again (the newer ask wins).
   Quoted (older) messages are never replies to newer requests.
6. Due dates (`pipeline.dates`), types (`action_types`) and purpose (`purpose`).

The engine never reads names or amounts from configuration: everything it knows about a
specific interaction comes from the text and the participant list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from pipeline.dates import DateMention, anchor_bare_days, best_mention, find_dates
from pipeline.rules import commitments as cm
from pipeline.rules.action_types import TYPE_PRECEDENCE, classify_type
from pipeline.rules.owners import OwnerResolver, team_name
from pipeline.rules.purpose import classify_purpose
from pipeline.rules.summary import build_summary
from pipeline.rules.turns import (
    Clause,
    Message,
    email_clauses,
    email_messages,
    note_clauses,
    transcript_clauses,
    transcript_speakers,
)
from pipeline.schemas import Action, ActionType, Due, Evidence, InteractionDraft, Participant
from pipeline.text import STOPWORDS

_COMPLETION = re.compile(
    r"\b(?:thanks|thank you) for (?:sending|the|your)\b|\breceived\b|\bgot the\b|\bhas arrived\b|\barrived\b"
    r"|\bas promised\b|\bhave now\b|\balready\b|\b(?:came|come|gone|went) through\b"
    r"|\b(?:thanks|thank you) for (?:that|doing|sorting|arranging|organising)\b",
    re.IGNORECASE,
)
_PRONOUN_OBJECT = re.compile(r"^\s*(?:it|that|them|those|this|these)\b", re.IGNORECASE)


@dataclass
class _Draft:
    """An action under construction, before the conversation rules settle it."""

    clause: Clause
    detection: cm.Detection
    owner: str
    side: str
    is_team: bool
    due: Due
    date_mention: DateMention | None = None
    merged_from: list[Clause] = field(default_factory=list)
    merged_indexes: list[int] = field(default_factory=list)

    @property
    def end(self) -> int:
        """End offset of the evidence: the last clause attached to this action."""
        return max([self.clause.end, *(c.end for c in self.merged_from)])


def _local_date(moment: datetime) -> date:
    return moment.date()


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


def _clauses(text: str, kind: str, participants: list[Participant]) -> tuple[list[Clause], list[Message]]:
    if kind == "call_transcript":
        return transcript_clauses(text, participants), []
    if kind == "email":
        return email_clauses(text, participants)
    author = next((p.name for p in participants if p.role == "relationship_manager"), None) or next(
        (p.name for p in participants if p.side == "firm"), None
    )
    return note_clauses(text, author), []


def _request_owner(clause: Clause, resolver: OwnerResolver, clauses: list[Clause], index: int) -> str | None:
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


def _owner_of(
    det: cm.Detection, clause: Clause, resolver: OwnerResolver, clauses: list[Clause], index: int
) -> tuple[str, str, bool] | None:
    if det.kind == "commitment":
        p = resolver.participant(clause.speaker)
        return (p.name, p.side, False) if p else None
    if det.kind == "request":
        name = _request_owner(clause, resolver, clauses, index)
        return (name, resolver.side_of(name), False) if name else None
    who = det.who or ""
    p = resolver.participant(who)
    if p:
        return p.name, p.side, False
    if re.search(r"\b(?:team|desk|department|unit|services|operations)$|\bcolleagues? (?:in|from|on)\b", who,
                 re.IGNORECASE):
        return team_name(who), "firm", True
    return None


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]{3,}", text.lower()) if w not in STOPWORDS}


def _completed_in_newer(clause: Clause, clauses: list[Clause]) -> bool:
    """A quoted commitment is done when a newer message thanks for it or reports it received."""
    words = _content_words(clause.text[20:] if len(clause.text) > 40 else clause.text)
    for newer in clauses:
        if newer.message < clause.message and _COMPLETION.search(newer.text):
            if words & _content_words(newer.text):
                return True
    return False


# Verbs that only prepare a deliverable: what happens to it next (sending it to the client,
# taking it to committee) says what the action is.
_PREPARATION_VERBS = frozenset(
    "write prepare draft pull put get pull-together compile collate work dig look".split()
)


def _attaches_to(last: _Draft, clause: Clause, det: cm.Detection | None, index: int, *, has_date: bool) -> bool:
    """Does `clause` continue the deliverable of the action just drafted, rather than start one?

    The same speaker, in the same turn and within the next three clauses, either refers back to it
    with a pronoun ("I'll pull up the wording. I'll get that over to you this afternoon";
    "You'll have that by Friday"), or delivers what the previous clause only prepared
    ("I'll write the paper and we'll take it to credit committee"). The guide labels one
    action per deliverable.
    """
    if last.detection.kind not in ("commitment", "third_party") or clause.quoted:
        return False
    if clause.speaker != last.clause.speaker or clause.turn != last.clause.turn:
        return False
    if index - max(last.merged_indexes or [index]) > 3 or cm.UNAVAILABLE.search(clause.text):
        return False
    if det is not None and det.kind == "commitment":
        rest = clause.text[det.start:].split(det.verb, 1)[-1]
        if _PRONOUN_OBJECT.match(rest):
            # A restated date ("I'll send them by Tuesday") corrects the first: the last date wins.
            return True
    if last.due.kind != "none" and has_date:
        # Steps stated separately with their own dates are two actions.
        return False
    if det is not None and det.kind == "commitment":
        return last.detection.verb in _PREPARATION_VERBS and clause.sentence == last.clause.sentence
    if det is None:
        # "You'll have that by Friday", "It'll be with you tomorrow".
        return bool(_DELIVERY_FOLLOW_UP.search(clause.text))
    return False


_DELIVERY_FOLLOW_UP = re.compile(
    r"^\s*(?:and\s+)?(?:you(?:'ll|’ll| will|'d| should)\s+(?:have|get|receive|see)\s+(?:that|it|them|this|those)\b"
    r"|(?:it|that|they|this)(?:'ll|’ll| will| should)\s+(?:be|reach)\s+(?:with )?you\b)",
    re.IGNORECASE,
)


def _clientise(text: str, resolver: OwnerResolver) -> str:
    """Write client-side participants as "the client", so "DP to update OB" reads as a reply to the client."""

    def swap(m: re.Match[str]) -> str:
        p = resolver.participant(m.group())
        return "the client" if p is not None and p.side == "client" else m.group()

    return re.sub(r"\b[A-Z]{2,4}\b|\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}\b", swap, text)


def _action_type(d: _Draft, resolver: OwnerResolver) -> ActionType:
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
    m = cm.FIRST_PERSON.search(text)
    return m.group("verb") if m else ""


def _drop_superseded_quotes(drafts: list[_Draft]) -> list[_Draft]:
    """A quoted commitment that a newer message asks for again is one deliverable, not two.

    "I'll send you a breakdown of the charges" in the quoted reply, then "Send me the
    breakdown of charges I asked for" on top: the newer request (same verb, same owner, two
    shared content words) is the open action.
    """
    newer = [d for d in drafts if not d.clause.quoted]
    kept = []
    for d in drafts:
        if d.clause.quoted and d.detection.kind == "commitment":
            words = _content_words(d.clause.text)
            if any(n.owner == d.owner and n.detection.verb == d.detection.verb
                   and len(words & _content_words(n.clause.text)) >= 2 for n in newer):
                continue
        kept.append(d)
    return kept


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


def _is_correction(clause: Clause) -> bool:
    return bool(cm.CORRECTION.search(clause.text) or cm.CONFIRMATION_LEAD.match(clause.text))


def _merge(last: _Draft, clause: Clause, index: int, mentions: list[DateMention]) -> None:
    """The same speaker goes on about the same deliverable: one action, dated by the newest date."""
    last.merged_from.append(clause)
    last.merged_indexes.append(index)
    best = best_mention(mentions)
    if best and best.due.kind != "none":
        last.due = best.due


def _is_add_on(last: _Draft, clause: Clause, det: cm.Detection) -> bool:
    """A need stated beside a request just made ("we'll need a certified translation with it") is part of it."""
    return (
        det.kind == "request" and bool(cm.NEED_STATEMENT.search(clause.text)) and bool(cm.ADD_ON.search(clause.text))
        and last.detection.kind == "request" and 0 <= clause.turn - last.clause.turn <= 2
    )  # fmt: skip


def _redate(last: _Draft, clause: Clause, mentions: list[DateMention]) -> None:
    """Not a new action: maybe a date correction, confirmation or pro-form reply that dates the last one."""
    if not mentions or clause.turn - last.clause.turn > 2 or cm.UNAVAILABLE.search(clause.text):
        return
    # "I can do that tomorrow" from the owner, "if you can do that this afternoon" from whoever
    # asked, or the asker restating it ("could you have all of that with me within a
    # fortnight?") dates the pending action.
    pro_form = cm.PRO_FORM.search(clause.text) and (
        clause.speaker == last.owner or re.search(r"\bdo (?:that|it)\b", clause.text)
        or (last.detection.kind == "request" and clause.speaker == last.clause.speaker)
    )
    restated = (
        clause.turn == last.clause.turn and clause.speaker == last.clause.speaker
        and last.due.kind == "none" and re.search(r"\b(?:that|it|them)\b", clause.text)
    )
    if _is_correction(clause) or pro_form or restated:
        mention = mentions[-1] if _is_correction(clause) else best_mention(mentions)
        if mention and mention.due.kind != "none":
            last.due = mention.due


@dataclass
class _Pass:
    """One pass over an interaction's clauses, building the drafts in order."""

    text: str
    kind: str
    reference: date
    resolver: OwnerResolver
    clauses: list[Clause]
    drafts: list[_Draft] = field(default_factory=list)
    signoff_sentences: set[tuple[int, int]] = field(default_factory=set)
    """Sentences (turn, sentence) that hold a commitment: a sign-off there adds nothing."""

    def add(self, index: int, clause: Clause) -> None:
        """Read one clause: a new action, part of the last one, a date for it, or nothing."""
        det = cm.detect(clause.text, written=self.kind != "call_transcript", notes=self.kind == "meeting_notes")
        mentions = anchor_bare_days(find_dates(clause.text, self.reference), self.text[: clause.start],
                                    self.reference)
        last = self.drafts[-1] if self.drafts else None
        has_date = any(m.due.kind != "none" for m in mentions)
        if last and _attaches_to(last, clause, det, index, has_date=has_date):
            # "...I'll get that over to you this afternoon", "...and we'll take it to credit committee".
            _merge(last, clause, index, mentions)
            return
        if det is None:
            if last:
                _redate(last, clause, mentions)
            return
        if (last and _is_add_on(last, clause, det)) or self._not_an_action(clause, det):
            return
        owner = _owner_of(det, clause, self.resolver, self.clauses, index)
        if owner is None or self._dates_pending(clause, det, owner[0], mentions) or self._repeats_signoff(clause, det):
            return
        name, side, is_team = owner
        best = best_mention(mentions)
        self.drafts.append(_Draft(clause, det, name, side, is_team, best.due if best else Due.none(), best,
                                  merged_indexes=[index]))

    def _not_an_action(self, clause: Clause, det: cm.Detection) -> bool:
        """A client's request on a call, a request in quoted history, or a quoted commitment since done."""
        if det.kind == "request" and self.kind == "call_transcript":
            speaker = self.resolver.participant(clause.speaker)
            if speaker and speaker.side == "client":
                return True
        if clause.quoted and det.kind == "request":
            return True
        return clause.quoted and _completed_in_newer(clause, self.clauses)

    def _dates_pending(self, clause: Clause, det: cm.Detection, owner: str, mentions: list[DateMention]) -> bool:
        """A commitment answering a recent request to its owner replaces it, or (pro-form) only dates it."""
        if clause.quoted or det.kind != "commitment":
            return False  # Older quoted messages are not replies.
        pending = next(
            (d for d in reversed(self.drafts) if d.detection.kind == "request" and d.owner == owner
             and 0 < clause.turn - d.clause.turn <= 2),
            None,
        )  # fmt: skip
        if pending is None:
            return False
        if cm.PRO_FORM.search(clause.text):
            mention = best_mention(mentions)
            if mention and mention.due.kind != "none":
                pending.due = mention.due
            return True
        self.drafts.remove(pending)
        return False

    def _repeats_signoff(self, clause: Clause, det: cm.Detection) -> bool:
        """A sign-off in a sentence that already holds a commitment (or the reverse) is one action."""
        key = (clause.turn, clause.sentence)
        if det.kind == "signoff" and key in self.signoff_sentences:
            return True
        if det.kind == "commitment":
            self.signoff_sentences.add(key)
            last = self.drafts[-1] if self.drafts else None
            if last and last.detection.kind == "signoff" and (last.clause.turn, last.clause.sentence) == key:
                self.drafts.pop()
        return False


def _action(d: _Draft, text: str, resolver: OwnerResolver) -> Action:
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


def draft_with_rules(
    text: str,
    *,
    kind: str,
    occurred_at: datetime,
    participants: list[Participant],
    client: str,
) -> InteractionDraft:
    """Draft a summary and actions from an interaction's text with deterministic rules.

    Args:
        text: The interaction text (transcript, notes or email thread).
        kind: `call_transcript`, `meeting_notes` or `email`.
        occurred_at: When the interaction happened; relative dates resolve against its local date.
        participants: Who took part; inferred from speaker labels or headers when empty.
        client: The client's name.

    Returns:
        The draft, with an empty (unchecked) grounding report: run `ground_draft` next.
    """
    participants = list(participants) or infer_participants(text, kind=kind, client=client)
    resolver = OwnerResolver(participants)
    clauses, _messages = _clauses(text, kind, participants)
    reading = _Pass(text, kind, _local_date(occurred_at), resolver, clauses)
    for index, clause in enumerate(clauses):
        reading.add(index, clause)
    actions = [_action(d, text, resolver) for d in _drop_superseded_quotes(reading.drafts)]
    opening = _opening(text, kind, clauses, resolver)
    purpose = classify_purpose(text, opening=opening)
    summary = build_summary(
        text=text, kind=kind, occurred_at=occurred_at, participants=participants, client=client,
        purpose=purpose, clauses=clauses, resolver=resolver, actions=actions,
    )
    return InteractionDraft(
        summary=summary,
        actions=actions,
        no_actions_reason=None if actions else "No commitment or request to an identifiable party was found.",
        engine="rules",
    )


def _opening(text: str, kind: str, clauses: list[Clause], resolver: OwnerResolver) -> str:
    if kind == "email":
        subjects = re.findall(r"^>?\s*Subject:\s*(.*)$", text, re.MULTILINE)
        return " ".join(subjects[-1:]) + " " + " ".join(c.text for c in clauses if c.message == 0)[:600]
    if kind == "meeting_notes":
        return "\n".join(text.splitlines()[:3])
    client_turns = [c.text for c in clauses if (p := resolver.participant(c.speaker)) and p.side == "client"]
    firm_turns = [c.text for c in clauses if (p := resolver.participant(c.speaker)) and p.side == "firm"]
    if _firm_initiated(clauses, resolver):
        # The firm rang: its own reason for calling comes first.
        return " ".join(firm_turns[:8]) + " " + " ".join(client_turns[:3])
    return " ".join(client_turns[:6]) + " " + " ".join(firm_turns[:3])


# How a firm answers a call it receives ("Harbourside Insurance, Oskar speaking, how can I help?").
_INBOUND_GREETING = re.compile(
    r"\bhow (?:can|may|could) (?:I|we) help\b|\bwhat can (?:I|we) do for you\b|\bspeaking\b|\bthanks for calling\b"
    r"|\bthank you for calling\b",
    re.IGNORECASE,
)


def _firm_initiated(clauses: list[Clause], resolver: OwnerResolver) -> bool:
    """A call the firm made: a firm-side participant speaks first without an inbound greeting."""
    if not clauses:
        return False
    first = resolver.participant(clauses[0].speaker)
    if first is None or first.side != "firm":
        return False
    first_turn = " ".join(c.text for c in clauses if c.turn == clauses[0].turn)
    return not _INBOUND_GREETING.search(first_turn)
