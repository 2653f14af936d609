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
7. Control actions (`controls`): a written payee-change request gets the firm's call-back.
8. Wording (`wording`): each description becomes a third-person task; the evidence stays exact.

The engine never reads names or amounts from configuration: everything it knows about a
specific interaction comes from the text and the participant list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from pipeline.dates import DateMention, anchor_bare_days, best_mention, find_dates
from pipeline.rules import commitments as cm
from pipeline.rules import patterns as pt
from pipeline.rules.controls import payee_call_back
from pipeline.rules.conversation import (
    PendingAction,
    attaches_to,
    completed_in_newer,
    date_open_requests,
    drop_superseded_quotes,
    is_add_on,
    merge_into,
    merge_restatements,
    not_done_in_call,
    redate,
)
from pipeline.rules.decisions import agreed_records, moved_dates
from pipeline.rules.describe import build_action
from pipeline.rules.owners import OwnerResolver, last_person_named, last_team_named
from pipeline.rules.purpose import classify_purpose
from pipeline.rules.setting import infer_participants, owner_of, sent_dates
from pipeline.rules.summary import build_summary
from pipeline.rules.turns import (
    Clause,
    Message,
    email_clauses,
    note_clauses,
    transcript_clauses,
)
from pipeline.schemas import Due, InteractionDraft, Participant

_IT_OBJECT = re.compile(r"\b(?:get|send|return|bring|post|scan|email|e-mail|sign|print|drop)\s+"
                        r"(?:it|them|that|those|these)\b", re.IGNORECASE)
_RESTATED_OBJECT = re.compile(r"\s*(?:it|that|them|those|this|these)\b(?!\s+(?:to|with)\s+(?:our|the)\b)",
                              re.IGNORECASE)
_BY_THEN = re.compile(r"\b(?:by|before|until) (?:then|that (?:point|time|date|day))\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+\S")
_WANT_LEAD = re.compile(
    r"\b(?:what (?:I|we) (?:want|need|expect|would like|'d like|’d like|am asking for|are asking for)(?: is)?"
    r"|(?:I|we) (?:want|need|expect|would like|'d like|’d like|am asking for|are asking for)(?: the following)?"
    r"|(?:please|could you|can you)(?: please)?)\s*:\s*$",
    re.IGNORECASE,
)
# A list item that says something ("one of the trustees asked whether...") is not a bare deliverable.
_FINITE_VERB = re.compile(r"\b(?:I|we|you|he|she|they|it)\s+[a-z]+|\b(?:asked|said|is|are|was|were|has|have|had|will"
                          r"|would|can|could|should|does|do|did|need|needs|wants?)\b", re.IGNORECASE)


def _local_date(moment: datetime) -> date:
    return moment.date()


def _clauses(text: str, kind: str, participants: list[Participant]) -> tuple[list[Clause], list[Message]]:
    if kind == "call_transcript":
        return transcript_clauses(text, participants), []
    if kind == "email":
        return email_clauses(text, participants)
    author = next((p.name for p in participants if p.role == "relationship_manager"), None) or next(
        (p.name for p in participants if p.side == "firm"), None
    )
    return note_clauses(text, author), []


@dataclass
class _Pass:
    """One pass over an interaction's clauses, building the drafts in order."""

    text: str
    kind: str
    reference: date
    resolver: OwnerResolver
    clauses: list[Clause]
    drafts: list[PendingAction] = field(default_factory=list)
    replied_to: dict[int, Clause] = field(default_factory=dict)
    """Requests a reply replaced, by the reply clause's start: the action's evidence starts there."""
    signoff_sentences: set[tuple[int, int]] = field(default_factory=set)
    """Sentences (turn, sentence) that hold a commitment: a sign-off there adds nothing."""
    asked_by: dict[int, Due] = field(default_factory=dict)
    """The date a request replaced by a reply asked for, by the reply clause's start: an undated reply keeps it."""
    sent_on: dict[int, date] = field(default_factory=dict)
    """The date each quoted email message was written, by message index."""

    def _dates(self, clause: Clause) -> list[DateMention]:
        """The clause's dates; a quoted message's "by Monday" counts from the day it was written."""
        mentions = find_dates(clause.text, self.reference)
        written = self.sent_on.get(clause.message) if clause.quoted else None
        if written is None or written >= self.reference:
            return mentions
        then = find_dates(clause.text, written)
        # Only while its deadline still lies ahead: a date already gone reads from today.
        if len(then) == len(mentions) and all(m.due.deadline is None or m.due.deadline >= self.reference
                                              for m in then):
            return then
        return mentions

    def add(self, index: int, clause: Clause) -> None:
        """Read one clause: a new action, part of the last one, a date for it, or nothing."""
        det = cm.detect(clause.text, written=self.kind != "call_transcript", notes=self.kind == "meeting_notes")
        mentions = anchor_bare_days(self._dates(clause), self.text[: clause.start],
                                    self.reference)
        mentions = self._by_then(clause, mentions)
        last = self.drafts[-1] if self.drafts else None
        has_date = any(m.due.kind != "none" for m in mentions)
        if det is not None and det.kind == "third_party" and det.who == "they" and last \
                and attaches_to(last, clause, None, index, has_date=has_date):
            merge_into(last, clause, index, mentions)  # "...and they'll ring you to book it"
            return
        if det is not None and det.kind == "third_party":
            det = self._who_is_meant(index, clause, det)
        if last and attaches_to(last, clause, det, index, has_date=has_date):
            # "...I'll get that over to you this afternoon", "...and we'll take it to credit committee".
            merge_into(last, clause, index, mentions)
            return
        if det is None and last is not None and self._lists_more_of(last, clause):
            # "1. Please could you send the structure chart... 2. The board resolution, signed by two directors."
            det = cm.Detection("request", "send", None, 0)
        if det is None and self._wanted_item(clause):
            # "What I want: 1. The overpayment re-applied... 2. The difference refunded..."
            det = cm.Detection("request", cm.WANTED, None, 0)
        if det is None and self._asks_the_reader(clause):
            if last and last.detection.verb == cm.ANSWER and last.clause.speaker == clause.speaker \
                    and last.clause.message == clause.message and index - max(last.merged_indexes) == 1:
                merge_into(last, clause, index, mentions)  # "...should I get out of it? What would you do?"
                return
            det = cm.Detection("request", cm.ANSWER, None, 0)
        if det is None:
            if last and not date_open_requests(self.drafts, clause, mentions):
                redate(last, clause, mentions)
            return
        if (last and is_add_on(last, clause, det)) or self._not_an_action(clause, det):
            return
        if det.kind == "commitment" and pt.ADD_TO_DELIVERABLE.search(clause.text):
            return
        if det.kind == "commitment" and self._restates_own(clause, det, mentions):
            return
        owner = owner_of(det, clause, self.resolver, self.clauses, index)
        if owner is None or self._dates_pending(clause, det, owner[0], mentions) or self._repeats_signoff(clause, det):
            return
        name, side, is_team = owner
        self._drop_superseded(clause, det, name)
        best = best_mention(mentions)
        asked = self.replied_to.get(clause.start)
        due = best.due if best and best.due.kind != "none" else self.asked_by.get(clause.start, Due.none())
        self.drafts.append(PendingAction(clause, det, name, side, is_team, due, best,
                                  merged_from=[asked] if asked else [], merged_indexes=[index]))

    def _who_is_meant(self, index: int, clause: Clause, det: cm.Detection) -> cm.Detection | None:
        """Resolve a third party told by pronoun or in general ("they", "the team", a note's "she"), or drop it."""
        who = det.who or ""
        if who == "they":
            before = clause.line_text[: max(clause.line_text.find(clause.text), 0)]
            if last_team_named(before) is None and self.kind == "call_transcript":
                # "They usually come back to you..." answers a question about the team named in the
                # speaker's turn before.
                earlier = [c for c in self.clauses[:index] if c.speaker == clause.speaker
                           and 0 < clause.turn - c.turn <= 2]
                before = earlier[-1].line_text if earlier else before
            return self._team_meant(clause, det, before)
        if re.fullmatch(r"(?i:the|our)\s+team", who):
            return self._team_meant(clause, det, self.text[: clause.start])
        if who.lower() in ("he", "she"):
            # Notes: "she" is the participant named last before ("KO asked about CGT... she'll raise it").
            before = self.text[: clause.start + det.start]
            person = last_person_named(before, self.resolver, besides=clause.speaker)
            return replace(det, who=person) if person else None
        return det

    def _restates_own(self, clause: Clause, det: cm.Detection, mentions: list[DateMention]) -> bool:
        """The speaker's promise of a turn or two before, said again with a new date, moves that date.

        "I'll get it off them and email it to you tomorrow." ... "Oh, wait, tomorrow's a holiday
        there. I'll send it Friday."; "ring you back by Thursday" ... "Wednesday's fine, I'll ring
        you Wednesday": one action, due on the last date agreed.
        """
        best = best_mention(mentions)
        if clause.quoted or best is None or best.due.kind == "none":
            return False
        after = clause.text[det.start :].split(det.verb, 1)[-1]
        for d in reversed(self.drafts[-2:]):
            if d.owner != clause.speaker or d.detection.kind != "commitment" or d.clause.quoted:
                continue
            if not 0 < clause.turn - max(c.turn for c in [d.clause, *d.merged_from]) <= 2:
                continue
            said = " ".join(c.text for c in [d.clause, *d.merged_from])
            same_verb = re.search(rf"\b{re.escape(det.verb)}\b", said, re.IGNORECASE) is not None
            thing = _RESTATED_OBJECT.match(after) is not None
            person = re.match(r"\s*(?:you|him|her|them)\b", after, re.IGNORECASE) is not None
            # "It" after a new thing is named ("Then there's our pack... I'll get that over today") is that
            # thing: a restated "it" must come after talk of the date ("Tomorrow's a holiday there. Friday.").
            turn_before = clause.line_text[: max(clause.line_text.find(clause.text), 0)]
            date_talk = any(m.due.kind != "none" for m in find_dates(turn_before, self.reference))
            if (thing and date_talk and (same_verb or d.due.kind != "none")) or (person and same_verb):
                d.set_due(best.due)
                return True
        return False

    def _drop_superseded(self, clause: Clause, det: cm.Detection, owner: str) -> None:
        """A new ask or plan for the same thing, told with "it", replaces the one a turn or two before.

        "We'll need an income and expenditure form from you" ... "Could you get it back to us by
        Friday?" is one request; "I'll print it and post it back tomorrow. Actually, can I scan it?"
        ... "Then I'll scan it back tonight" is one promise, the last plan.
        """
        if clause.quoted or not _IT_OBJECT.search(clause.text[det.start :]):
            return
        for d in reversed(self.drafts[-3:]):
            if d.owner != owner or d.clause.speaker != clause.speaker or not 0 <= clause.turn - d.clause.turn <= 2:
                continue
            between = self.text[d.clause.end : clause.start]
            need_then_ask = det.kind == "request" and d.detection.kind == "request" and d.detection.verb == "provide"
            if clause.turn == d.clause.turn and not need_then_ask:
                continue
            new_plan = (det.kind == d.detection.kind == "commitment" and _IT_OBJECT.search(d.clause.text)
                        and re.search(r"\b(?:actually|instead|rather)\b", between, re.IGNORECASE))
            if need_then_ask or new_plan:
                self.drafts.remove(d)
                return

    def _by_then(self, clause: Clause, mentions: list[DateMention]) -> list[DateMention]:
        """'By then' takes the date of the sentence before ('The review's on Friday. I'll have it ready by then')."""
        m = _BY_THEN.search(clause.text)
        if m is None or any(x.due.kind != "none" for x in mentions):
            return mentions
        # The last date said just before (a reply such as "Right." may sit between).
        window = self.text[max(0, clause.start - 200) : clause.start]
        dated = [x for x in find_dates(window, self.reference) if x.due.kind != "none"]
        if not dated:
            return mentions
        due = dated[-1].due.model_copy(update={"phrase": m.group(0)})
        return [*mentions, DateMention(m.start(), m.end(), m.group(0), due, True)]

    def _lists_more_of(self, last: PendingAction, clause: Clause) -> bool:
        """A written list item naming only a deliverable, after an item that asked for one, asks for it too."""
        if self.kind == "call_transcript" or last.detection.kind != "request" or clause.message != last.clause.message:
            return False
        item = _LIST_ITEM.match(clause.line_text)
        opens_item = item is not None and clause.line_text[item.end() - 1 :].startswith(clause.text.strip()[:20])
        return bool(opens_item and _LIST_ITEM.match(last.clause.line_text) and clause.turn == last.clause.turn
                    and not _FINITE_VERB.search(clause.text))

    def _wanted_item(self, clause: Clause) -> bool:
        """An item of a written list that a want opens ("What I want:", "We need the following:") asks for it."""
        if self.kind == "call_transcript" or clause.quoted:
            return False
        item = _LIST_ITEM.match(clause.line_text)
        if item is None or not clause.line_text[item.end() - 1 :].startswith(clause.text.strip()[:20]):
            return False
        line_start = self.text.rfind("\n", 0, clause.start) + 1
        for line in reversed(self.text[:line_start].splitlines()):
            if not line.strip() or _LIST_ITEM.match(line) or line[:1] in " \t":
                continue  # blank lines, earlier items and their wrapped continuations
            return bool(_WANT_LEAD.search(line))
        return False

    def _asks_the_reader(self, clause: Clause) -> bool:
        """A client's direct question in the newest email asks the firm for an answer: a reply is owed."""
        if self.kind != "email" or clause.quoted or not pt.READER_QUESTION.search(clause.text):
            return False
        speaker = self.resolver.participant(clause.speaker)
        return speaker is not None and speaker.side == "client" and not pt.COURTESY_QUESTION.search(clause.text)

    @staticmethod
    def _team_meant(clause: Clause, det: cm.Detection, before: str) -> cm.Detection | None:
        """'They' or 'the team' is the last team named before ('our bereavement team ... They'll send')."""
        team = last_team_named(before)
        return replace(det, who=team) if team else None

    def _not_an_action(self, clause: Clause, det: cm.Detection) -> bool:
        """A client's request on a call, a request in quoted history, or a quoted commitment since done."""
        if det.kind == "request" and self.kind == "call_transcript":
            speaker = self.resolver.participant(clause.speaker)
            if speaker and speaker.side == "client":
                return True
        if clause.quoted and det.kind == "request":
            return True
        if self.kind == "meeting_notes" and det.kind == "third_party" and not det.verb:
            # "SW: council tax bill into branch" assigns work only in an action list; elsewhere
            # "BK: no commitment given" records what someone said.
            return not pt.RECAP.search(self.text[: clause.start])
        return clause.quoted and completed_in_newer(clause, self.clauses)

    def _dates_pending(self, clause: Clause, det: cm.Detection, owner: str, mentions: list[DateMention]) -> bool:
        """A commitment answering a recent request to its owner replaces it, or (pro-form) only dates it."""
        if clause.quoted or det.kind != "commitment":
            return False  # Older quoted messages are not replies.
        # A pro-form ("I'll email them over") names no work of its own, so it answers a request a few
        # turns back (after a date was negotiated); a reply naming its work answers only the last two.
        reach = 4 if pt.PRO_FORM.search(clause.text) else 2
        pending = next(
            (d for d in reversed(self.drafts) if d.detection.kind == "request" and d.owner == owner
             and 0 < clause.turn - d.clause.turn <= reach),
            None,
        )  # fmt: skip
        if pending is None:
            return False
        if pt.PRO_FORM.search(clause.text):
            mention = best_mention(mentions)
            if mention and mention.due.kind != "none":
                pending.set_due(mention.due)
            if pending is self.drafts[-1]:
                # Nothing else was said between: the evidence runs from the request to the reply.
                pending.take_up(clause, self.clauses.index(clause))
            return True
        # The reply names the work: it is the action, and (with nothing drafted between) its
        # evidence starts at the request.
        if pending is self.drafts[-1]:
            self.replied_to[clause.start] = pending.clause
        if pending.due.kind != "none":
            self.asked_by[clause.start] = pending.due  # "...by Thursday the second" - "I'll sign it the day it comes"
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
    reading = _Pass(text, kind, _local_date(occurred_at), resolver, clauses, sent_on=sent_dates(text, _messages))
    for index, clause in enumerate(clauses):
        reading.add(index, clause)
    drafts = merge_restatements(drop_superseded_quotes(not_done_in_call(reading.drafts, clauses, kind)), text, kind,
                                reading.reference)
    built = [(d, build_action(d, text, resolver)) for d in drafts]
    actions = [a for _, a in built]
    asked = list(actions)  # what the interaction itself puts on someone; the controls below the client never asked for
    call_back = payee_call_back(text=text, kind=kind, clauses=clauses, resolver=resolver, client=client,
                                actions=actions)
    if call_back is not None:
        actions.append(call_back)
    opening = _opening(text, kind, clauses, resolver)
    purpose = classify_purpose(text, opening=opening)
    summary = build_summary(
        text=text, kind=kind, occurred_at=occurred_at, participants=participants, client=client,
        purpose=purpose, clauses=clauses, resolver=resolver, actions=asked,
        decided=[*moved_dates(built, text), *agreed_records(built, resolver)],
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
