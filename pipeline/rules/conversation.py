"""Conversation rules: whether a clause continues, dates or supersedes an action already drafted.

The engine (`pipeline.rules.engine`) reads clauses in text order; these rules decide what a
clause does to the actions drafted so far: one action per deliverable, the last agreed
date wins, and quoted history answered by newer messages drops out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline.dates import DateMention, best_mention, find_dates
from pipeline.rules import commitments as cm
from pipeline.rules import patterns as pt
from pipeline.rules.action_types import CASE
from pipeline.rules.turns import Clause
from pipeline.schemas import Due
from pipeline.text import STOPWORDS

_COMPLETION = re.compile(
    r"\b(?:thanks|thank you) for (?:sending|the|your)\b|\breceived\b|\bgot the\b|\bhas arrived\b|\barrived\b"
    r"|\bas promised\b|\bhave now\b|\balready\b|\b(?:came|come|gone|went) through\b"
    r"|\b(?:thanks|thank you) for (?:that|doing|sorting|arranging|organising|setting up|\w+ing)\b"
    r"|\bturned up\b|\blanded\b|\b(?:came|come) (?:yesterday|today|this morning)\b",
    re.IGNORECASE,
)
# A newer message calls the older plan off: "we're sending a loss adjuster instead, so please ignore the
# Castlegate Surveys call".
_CALLED_OFF = re.compile(r"\b(?:please |you can )?(?:ignore|disregard|forget about)\b"
                         r"|\bno longer (?:needed|necessary)\b", re.IGNORECASE)
_PRONOUN_OBJECT = re.compile(r"^\s*(?:it|that|them|those|this|these)\b", re.IGNORECASE)
# "I'll ask my accountant this week... I'll ask her next week": the same act, restated for a new date.
_PERSON_OBJECT = re.compile(r"^\s*(?:him|her|them)\b", re.IGNORECASE)


@dataclass
class PendingAction:
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
    first_due: Due | None = None
    """The date first stated for the action; a later correction moves `due` and leaves this."""

    def __post_init__(self) -> None:
        if self.first_due is None:
            self.first_due = self.due

    def set_due(self, due: Due) -> None:
        """A later clause dates the action: the first date stated is kept, so a change shows as a move."""
        if self.first_due is None or self.first_due.kind == "none":
            self.first_due = due
        self.due = due

    @property
    def moved(self) -> bool:
        """The date first stated was changed during the interaction ("Monday... actually, Wednesday")."""
        first, now = self.first_due, self.due
        return (first is not None and first.kind != "none" and now.kind != "none"
                and (first.date or first.end) != (now.date or now.end))

    @property
    def end(self) -> int:
        """End offset of the evidence: the last clause attached to this action."""
        return max([self.clause.end, *(c.end for c in self.merged_from)])

    @property
    def start(self) -> int:
        """Start offset of the evidence: a request taken up by a reply starts at the request."""
        return min([self.clause.start, *(c.start for c in self.merged_from)])

    def take_up(self, clause: Clause, index: int) -> None:
        """A later clause takes up this action (a reply, a restated ask): the evidence runs to it."""
        self.merged_from.append(clause)
        self.merged_indexes.append(index)


def content_words(text: str) -> set[str]:
    """The content words of a text (four letters or more, no stopwords), for matching deliverables.

    A hyphenated word counts as its parts too: "the SIPP Transfer-In Forms" and "the transfer
    form" share "transfer".
    """
    words = set(re.findall(r"[a-z][a-z-]{3,}", text.lower()))
    words |= {part for w in words if "-" in w for part in w.split("-")}
    return {w for w in words if len(w) >= 4 and w not in STOPWORDS}


def _promise_words(clause: Clause) -> set[str]:
    return content_words(clause.text[20:] if len(clause.text) > 40 else clause.text)


def completed_in_newer(clause: Clause, clauses: list[Clause]) -> bool:
    """A quoted commitment is done when a newer message thanks for it or reports it received.

    The thanks answers the quoted promise it shares most words with: "thanks for sending the fund
    manager's letter" completes "I'll send you the fund manager's letter", not "I'll write to you as soon
    as the fund reopens" beside it.
    """
    words = _promise_words(clause)
    promises = [c for c in clauses if c.quoted and pt.FIRST_PERSON.search(c.text)]
    for newer in clauses:
        if newer.message < clause.message and _CALLED_OFF.search(newer.text):
            if len(content_words(clause.text) & content_words(newer.text)) >= 2:
                return True
        if newer.message < clause.message and _COMPLETION.search(newer.text):
            said = content_words(newer.text)
            shared = len(words & said)
            if shared and shared >= max((len(_promise_words(p) & said) for p in promises), default=0):
                return True
    return False


# Verbs that only prepare a deliverable: what happens to it next (sending it to the client,
# taking it to committee) says what the action is.
_PREPARATION_VERBS = frozenset(
    "write prepare draft pull put get pull-together compile collate work dig look".split()
)


def attaches_to(last: PendingAction, clause: Clause, det: cm.Detection | None, index: int, *, has_date: bool) -> bool:
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
    if index - max(last.merged_indexes or [index]) > 3:
        return False
    if pt.UNAVAILABLE.search(clause.text) and (det is None or det.kind != "commitment"):
        return False  # "I'm off on Friday" moves nothing; "I'll do it Thursday, I'm off that day" does
    if det is not None and det.kind == "commitment":
        rest = clause.text[det.start:].split(det.verb, 1)[-1]
        if _PRONOUN_OBJECT.match(rest) or (det.verb == _last_verb(last) and _PERSON_OBJECT.match(rest)):
            # A restated date ("I'll send them by Tuesday") corrects the first: the last date wins.
            return True
    if det is not None and det.kind == "commitment" and _reports_back_on(last, clause, det):
        # "I'll ask our team to chase them this afternoon, and I'll call you back tomorrow": one action.
        return True
    if last.due.kind != "none" and has_date:
        # Steps stated separately with their own dates are two actions.
        return False
    if det is not None and det.kind == "commitment":
        return last.detection.verb in _PREPARATION_VERBS and clause.sentence == last.clause.sentence
    if det is None:
        # "You'll have that by Friday", "It'll be with you tomorrow"; a team's next step told with a
        # pronoun: "our claims team will arrange a contractor, and they'll ring you to book it".
        if last.detection.kind == "third_party" and _PRONOUN_SUBJECT.search(clause.text):
            return True
        # Working a case just raised is that case: "I'll raise a trace with our payments team, and
        # they'll chase the intermediary"; their call to the client ("they'll ring you") is its own action.
        if (last.detection.kind == "commitment" and clause.sentence == last.clause.sentence
                and _PRONOUN_SUBJECT.search(clause.text) and CASE.search(last.clause.text)
                and not re.search(r"\b(?:you|him|her)\b", clause.text, re.IGNORECASE)):
            return True
        return bool(_DELIVERY_FOLLOW_UP.search(clause.text))
    return False


# Verbs of an ask made of someone else: a report back on it belongs to it.
_ASK_VERBS = frozenset("ask check speak talk put take submit refer chase raise run escalate".split())


def _reports_back_on(last: PendingAction, clause: Clause, det: cm.Detection) -> bool:
    """A promise to report back on the ask just made, in its sentence or with the date it lacked (the guide)."""
    if last.detection.verb not in _ASK_VERBS or not pt.REPORT_BACK.search(clause.text[det.start:]):
        return False
    return clause.sentence == last.clause.sentence or last.due.kind == "none"


def _last_verb(last: PendingAction) -> str:
    """The verb of the clause the action's speaker said last ("ring" in "I'll ring him tonight")."""
    said = [c for c in [last.clause, *last.merged_from] if c.speaker == last.clause.speaker]
    m = pt.FIRST_PERSON.search(said[-1].text) if said else None
    return m.group("verb") if m else last.detection.verb


_PRONOUN_SUBJECT = re.compile(r"^\s*(?:and\s+|then\s+)*(?:they|he|she)(?:'ll|’ll| will)\s+(?!need\b|be\b)\w+",
                              re.IGNORECASE)


_DELIVERY_FOLLOW_UP = re.compile(
    r"^\s*(?:and\s+)?(?:you(?:'ll|’ll| will|'d| should)\s+(?:have|get|receive|see)\s+(?:that|it|them|this|those)\b"
    r"|(?:it|that|they|this)(?:'ll|’ll| will| should)\s+(?:be|reach)\s+(?:with )?you\b)",
    re.IGNORECASE,
)


def _is_correction(clause: Clause) -> bool:
    return bool(pt.CORRECTION.search(clause.text) or pt.CONFIRMATION_LEAD.match(clause.text))


def merge_into(last: PendingAction, clause: Clause, index: int, mentions: list[DateMention]) -> None:
    """The same speaker goes on about the same deliverable: one action, dated by the newest date."""
    last.merged_from.append(clause)
    last.merged_indexes.append(index)
    best = best_mention(mentions)
    if best and best.due.kind != "none":
        last.set_due(best.due)


def is_add_on(last: PendingAction, clause: Clause, det: cm.Detection) -> bool:
    """A need stated beside a request just made ("we'll need a certified translation with it") is part of it."""
    return (
        det.kind == "request" and bool(pt.NEED_STATEMENT.search(clause.text)) and bool(pt.ADD_ON.search(clause.text))
        and last.detection.kind == "request" and 0 <= clause.turn - last.clause.turn <= 2
    )  # fmt: skip


_CONDITION_BEFORE = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?if\b(?!\s+(?:you|we)\s+(?:can|could)\b)[^,]*$",
                               re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|since|given that)\b", re.IGNORECASE)
# A deadline for the whole request: "so ideally this would be done by Tuesday 24th",
# "these need to be in place by Friday".
_WHOLE_REQUEST = re.compile(
    r"\b(?:this|these|all (?:of )?(?:this|that|these|it)|both|everything)\b(?:\s+\w+){0,2}?\s+"
    r"(?:would|will|needs?(?: to)?|has to|have to|could|should|must)\s+(?:\w+\s+){0,2}?"
    r"(?:be\s+)?(?:done|sorted|completed|ready|in place|through|by)\b",
    re.IGNORECASE,
)


def date_open_requests(drafts: list[PendingAction], clause: Clause, mentions: list[DateMention]) -> bool:
    """A written deadline for the whole request dates each ask of that message it does not already date.

    "1. Could you change the payee... 2. Could you waive the fee? ... so ideally this would be done
    by Tuesday 24th": both asks are due on the 24th.
    """
    marked = [m for m in mentions if m.deadline_marked and m.due.kind != "none"]
    if not marked or not _WHOLE_REQUEST.search(clause.text):
        return False
    asks = [d for d in drafts if d.detection.kind == "request" and d.clause.speaker == clause.speaker
            and d.clause.turn == clause.turn and not (d.date_mention and d.date_mention.deadline_marked)]
    for ask in asks:
        ask.set_due(marked[-1].due)
    return bool(asks)


def redate(last: PendingAction, clause: Clause, mentions: list[DateMention]) -> None:
    """Not a new action: maybe a date correction, confirmation or pro-form reply that dates the last one."""
    # A date given as a reason says when something else happens: "it's urgent because the old account closes next week".
    # Nor does a date in a condition: "If we've got pricing agreed on Tuesday, the letter will be ahead of it".
    mentions = [m for m in mentions if not _REASON.search(clause.text[: m.start])
                and not _CONDITION_BEFORE.search(clause.text[: m.start])]
    if not mentions or clause.turn - last.clause.turn > 2 or pt.UNAVAILABLE.search(clause.text):
        return
    # "I can do that tomorrow" from the owner, "if you can do that this afternoon" from whoever
    # asked, or the asker restating it ("could you have all of that with me within a
    # fortnight?") dates the pending action.
    pro_form = pt.PRO_FORM.search(clause.text) and (
        clause.speaker == last.owner or re.search(r"\bdo (?:that|it)\b", clause.text)
        or (last.detection.kind == "request" and clause.speaker == last.clause.speaker)
    )
    restated = (
        clause.turn == last.clause.turn and clause.speaker == last.clause.speaker
        and last.due.kind == "none" and re.search(r"\b(?:that|it|them)\b", clause.text)
    )
    # "Tomorrow I'm clearing the flat. Wednesday, after the registrar.": a bare date said by the
    # action's speaker in the same turn answers for it.
    fragment = (
        clause.speaker == last.clause.speaker and clause.turn == max(c.turn for c in [last.clause, *last.merged_from])
        and mentions[0].start <= 3 and len(clause.text.split()) <= 6
        # "Now the transaction." turns to the next topic; "now" there dates nothing.
        and mentions[0].phrase.casefold() != "now"
    )
    if _is_correction(clause) or pro_form or restated or fragment:
        # A correction names the new date last ("no, make it Thursday"); a confirmation first
        # ("Monday's fine, you've still got time before the eighteenth").
        confirmed = not pt.CORRECTION.search(clause.text) and pt.CONFIRMATION_LEAD.match(clause.text)
        mention = (mentions[0] if confirmed else mentions[-1]) if _is_correction(clause) else best_mention(mentions)
        if mention and mention.due.kind != "none":
            last.set_due(mention.due)


def drop_superseded_quotes(drafts: list[PendingAction]) -> list[PendingAction]:
    """A quoted commitment that a newer message asks for again is one deliverable, not two.

    "I'll send you a breakdown of the charges" in the quoted reply, then "Send me the
    breakdown of charges I asked for" on top: the newer request (same verb, same owner, two
    shared content words) is the open action.
    """
    newer = [d for d in drafts if not d.clause.quoted]
    kept = []
    for d in drafts:
        if d.clause.quoted and d.detection.kind == "commitment":
            words = content_words(d.clause.text)
            if any(n.owner == d.owner and _asks_again(n, d, len(words & content_words(n.clause.text)))
                   for n in newer):
                continue
        kept.append(d)
    return kept


def _asks_again(newer: PendingAction, quoted: PendingAction, shared: int) -> bool:
    """The newer message asks for the quoted deliverable again: the same verb and words, or a request sharing two."""
    if newer.detection.kind == "request":
        return shared >= 2 or (shared >= 1 and _work_verb(newer) == quoted.detection.verb)
    return shared >= 2 and newer.detection.verb == quoted.detection.verb


def _work_verb(d: PendingAction) -> str:
    """The verb of the work asked for: "go ahead and send me the form" asks to send."""
    verb = d.detection.verb
    if verb.endswith(" and"):
        after = re.search(rf"\b{re.escape(verb)}\s+(?P<next>[a-z]+)", d.clause.text, re.IGNORECASE)
        return after["next"].lower() if after else verb
    return verb


def _deliverable_words(d: PendingAction, reference: date) -> set[str]:
    """Content words of an action's clauses, without its date phrases: what it delivers, not when."""
    words: set[str] = set()
    for c in [d.clause, *d.merged_from]:
        text = c.text
        for m in reversed(find_dates(text, reference)):
            text = text[: m.start] + " " + text[m.end :]
        words |= content_words(text)
    return words


def _in_recap(d: PendingAction, text: str, kind: str) -> bool:
    """Is the action stated in a summary of what was agreed ("so just to recap", a notes "Actions" list)?"""
    clause = d.clause
    if kind == "meeting_notes":
        return bool(pt.RECAP.search(text[: clause.start]))
    before = clause.line_text[: max(clause.line_text.find(clause.text), 0)] + " " + clause.text[: d.detection.start]
    return bool(pt.RECAP.search(before))


_CONTACT = re.compile(r"\b(?:call|ring|phone)\s+(?:you|him|her|them)\b|\bgive (?:you|him|her|them) a (?:call|ring)\b"
                      r"|\b(?:get|come) back to (?:you|him|her|them)\b", re.IGNORECASE)


def _restates(later: PendingAction, earlier: PendingAction, shared: set[str], *, recap: bool, only: bool) -> bool:
    """Enough of the deliverable in common: in a recap, two words or the same date; elsewhere three.

    In a recap one shared word is enough with the same verb, or when the owner has only one earlier action.
    """
    same_date = later.due.kind != "none" and later.due.deadline == earlier.due.deadline
    if not recap:
        # "...someone from our fraud team will ring you back this afternoon" ... "And the fraud team
        # will call you this afternoon": the same call on the same day, said again.
        calls = all(_CONTACT.search(d.clause.text) for d in (later, earlier))
        return len(shared) >= 3 or (same_date and calls)
    return (len(shared) >= 2 or same_date
            or (len(shared) == 1 and (later.detection.verb == earlier.detection.verb or only)))


def _same_owner(a: PendingAction, b: PendingAction) -> bool:
    """One owner, or one team named in full and in short ("the international payments team", "the payments team")."""
    if a.owner == b.owner:
        return True
    if not (a.is_team and b.is_team):
        return False
    words = [set(o.lower().removesuffix(" team").split()) for o in (a.owner, b.owner)]
    return bool(words[0] and words[1]) and (words[0] <= words[1] or words[1] <= words[0])


def merge_restatements(drafts: list[PendingAction], text: str, kind: str, reference: date) -> list[PendingAction]:
    """A later restatement of an action already drafted is that action, not a second one.

    Long calls end in a recap ("so just to recap: I'll email you the summary today...") and notes
    repeat their body in an "Actions" list. A later action with the same owner that shares two
    deliverable words with an earlier one inside such a summary (or one and the verb), or three
    anywhere, restates it:
    its date, if it states one, is the last agreed. In notes the list item is the record of the
    action and keeps the evidence; in conversation the first statement does.
    """
    kept: list[PendingAction] = []
    for d in drafts:
        recap = _in_recap(d, text, kind)
        words = _deliverable_words(d, reference)
        before = [k for k in kept if _same_owner(k, d) and k.clause.turn < d.clause.turn and not k.clause.quoted
                  and not d.clause.quoted]
        earlier = next(
            (k for k in before
             if _restates(d, k, words & _deliverable_words(k, reference), recap=recap,
                           only=len(before) == 1 and kind != "meeting_notes")),
            None,
        )  # fmt: skip
        if earlier is None:
            kept.append(d)
            continue
        if kind == "meeting_notes" and recap:
            if d.due.kind == "none" and earlier.due.kind != "none":
                d.set_due(earlier.due)
            kept[kept.index(earlier)] = d
        elif d.due.kind != "none":
            earlier.set_due(d.due)
    return kept


def not_done_in_call(drafts: list[PendingAction], clauses: list[Clause], kind: str) -> list[PendingAction]:
    """Drop work the other party says was done while they talked ("I'll forward it now." - "I've got it")."""
    if kind != "call_transcript":
        return drafts
    kept = []
    for d in drafts:
        last_turn = max(c.turn for c in [d.clause, *d.merged_from])
        said = [c for c in clauses if last_turn < c.turn <= last_turn + 2 and c.speaker != d.clause.speaker]
        if not any(pt.DONE_IN_CALL.search(c.text) for c in said[:3]):
            kept.append(d)
    return kept
