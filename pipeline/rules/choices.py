"""Decisions the two sides settle between them: a client's choice, a yes that settles a question, advice declined.

The labelling guide's decisions are "what was agreed or decided". Beyond the firm's own
agreements and completions (`summary`, `done`), four kinds come from an exchange:

- **the client chooses or declines**: "we'd like to go with your recommendation, the two-year
  fix at 4.29%" is "Agreed: the two-year fix at 4.29%"; "£7.40 a month is fine" accepts a
  price; "I'd rather not tie up the other £150,000 in the notice account" declines a product
  (only a decline that names an amount or a product: "I'd rather not trust the post" is no
  decision); a note's "ER declined" after "YD presented FX forward proposal" declines it;
- **a pro-form agreement**: "Let's do that" after the firm's "if we take it down to 65% now
  and the rest in the new tax year" agrees to what the firm just set out;
- **a yes that settles a question**: the client's "Can I scan it?" answered "Yes, scanning it
  back is fine" is "Agreed: the client can scan the form back"; a firm's written "yes, online
  banking can be set up for four users" settles what it answers;
- **advice declined**: the firm that "can't give advice" or is "execution-only" and points
  the client to "a regulated financial adviser" has decided not to recommend.
"""

from __future__ import annotations

import re

from pipeline.rules import commitments as cm
from pipeline.rules.asks import NOTED_ASK
from pipeline.rules.decisions import named_document
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause
from pipeline.rules.wording import Voices, task_wording
from pipeline.schemas import Action

_CHOOSE = re.compile(
    r"\b(?:we|I)(?:'d|’d| would) (?:like|prefer) to (?:go with|go ahead with|proceed with|take|go for)\s+"
    r"|\b(?:we|I)(?:'ll|’ll| will) (?:go with|go for)\s+|\b(?:we're|we’re|I'm|I’m) happy to go (?:with|ahead with)\s+",
    re.IGNORECASE,
)
_WHAT = re.compile(r"(?:(?:your|the) (?:recommendation|proposal|suggestion)(?:,\s+|\s+(?:of|for)\s+))?"
                   r"(?P<what>(?:[^.;!?]|\.(?=\d)){4,160})")
_PRICE_OK = re.compile(r"(?P<what>[£$€]\s?[\d.,]+(?:\s+(?:a|per)\s+(?:month|year|week))?)\s+(?:is|sounds|seems)\s+"
                       r"(?:fine|ok|okay|acceptable|reasonable)\b", re.IGNORECASE)
_RATHER_NOT = re.compile(r"\b(?:I|we)(?:'d|’d| would) rather not\s+(?P<what>(?:[^.;!?,]|[.,](?=\d)){4,140}?)"
                         r"(?=[,.](?!\d)|[;!?]|$)", re.IGNORECASE)
_PRODUCT = re.compile(r"[£$€]\s?\d|\b(?:account|fund|deposit|fix|plan|loan|policy|cover|hedg\w*|proposal|"
                      r"recommendation|option|portfolio|shares|bond|mortgage)\b", re.IGNORECASE)
_PRO_FORM_YES = re.compile(r"^(?:(?:ok|okay|right|yes|yeah|fine|great),?\s+)*(?:let(?:'s|’s) do (?:that|it|this)"
                           r"|let(?:'s|’s) go with (?:that|it|this)|do that|go ahead)\b", re.IGNORECASE)
_FIRM_PLAN = re.compile(r"\bif (?:we|I) (?P<a>[^,;?]{6,140}),|\b(?:we|I) (?:could|can) (?P<b>[^,.;?]{6,140})"
                        r"|\bI(?:'d|’d| would) suggest (?:we )?(?P<c>[^,.;?]{6,140})", re.IGNORECASE)
_MAY_I = re.compile(r"\b(?:can|could|may) (?:I|we) (?P<rest>[^?]{3,120})\?\s*$", re.IGNORECASE)
_YES = re.compile(r"^(?:yes|yep|yeah|of course|sure|certainly|absolutely|we can|that's fine|that’s fine)\b",
                  re.IGNORECASE)
_WRITTEN_YES = re.compile(r"^(?:on your questions?:\s*)?(?:yes|yep),?\s+(?P<what>[^.;!?]{8,160}?\b(?:can|will) be\b"
                          r"[^.;!?]*)", re.IGNORECASE)
_NOTE_DECLINE = re.compile(r"^(?P<who>[A-Z]{2,4}|[A-Z][a-z]+)\s+declined\b")
_NOTE_OFFER = re.compile(r"\b(?:presented|recommended|proposed|offered|suggested)\s+(?P<what>[^.;]{4,140})")
# The firm's ruling on a term: "Fences, gates and hedges aren't covered for storm damage", "no grant of probate needed".
_NOT_COVERED = re.compile(r"(?:^|[.;:]\s+|,\s+(?:so|but|and)\s+)"
                          r"(?P<what>(?:(?i:the|your|his|her|their)\s+)?[A-Z]?[\w,'’ -]{2,60}?)"
                          r"\s+(?:isn't|aren't|is not|are not|isn’t|aren’t|won't be|won’t be|will not be)\s+covered\b"
                          r"(?P<rest>[^.;!?]{0,60})")
_NOT_NEEDED = re.compile(r"\bno (?P<what>(?:grant of )?[\w ]{3,40}?) (?:is |will be )?(?:needed|required)\b",
                         re.IGNORECASE)
_AGREED_NOTE = re.compile(r"^(?:agreed|ok(?:'d|ayed)|approved|accepted)\b", re.IGNORECASE)
_NO_ADVICE = re.compile(
    r"\b(?:can't|can’t|cannot|am not able to|'m not able to|’m not able to|aren't able to|are not able to)\s+"
    r"(?:give (?:you )?(?:any )?(?:tax |financial |investment )?(?:advice|a recommendation)|advise|recommend"
    r"|tell you (?:whether|what to do|that))|\bexecution-only\b", re.IGNORECASE)
_REFERRAL = re.compile(r"\b(?:a|an|your)\s+(?P<who>(?:(?:regulated|qualified|independent|own)\s+)?"
                       r"(?:(?:financial|tax|wealth)\s+)?(?:adviser|advisor|accountant|solicitor))\b", re.IGNORECASE)



def _worded(what: str, clause: Clause, resolver: OwnerResolver) -> str:
    voices = Voices(None, resolver.side(clause.speaker) == "firm", None)
    phrase = task_wording(what.strip(" ,"), voices=voices, before="", resolver=resolver)
    return phrase[0].lower() + phrase[1:] if phrase[:2] != phrase[:2].upper() else phrase


def _client_choice(clause: Clause, resolver: OwnerResolver) -> str | None:
    text = clause.text.strip()
    if text.endswith("?"):
        return None
    chose = _CHOOSE.search(text)
    if chose and not re.search(r"\bif\b", text[: chose.start()], re.IGNORECASE):
        what = _WHAT.match(text, chose.end())
        if what:
            return f"Agreed: {_worded(what['what'], clause, resolver)}"
    price = _PRICE_OK.search(text)
    if price:
        return f"Accepted by the client: {price['what']}"
    declined = _RATHER_NOT.search(text)
    if declined and _PRODUCT.search(declined["what"]):
        return f"Declined by the client: {_worded(declined['what'], clause, resolver)}"
    return None


def _previous_turn(clauses: list[Clause], index: int) -> list[Clause]:
    turn = clauses[index].turn
    earlier = [c for c in clauses[:index] if c.turn < turn]
    return [c for c in earlier if c.turn == earlier[-1].turn] if earlier else []


def _agreed_plan(clauses: list[Clause], index: int, resolver: OwnerResolver) -> str | None:
    """"Let's do that" agrees to what the firm set out in the turn before."""
    for clause in reversed(_previous_turn(clauses, index)):
        if resolver.side(clause.speaker) != "firm":
            return None
        plan = _FIRM_PLAN.search(clause.text)
        if plan:
            return f"Agreed: {_worded(plan['a'] or plan['b'] or plan['c'], clause, resolver)}"
    return None


def _settled_question(clauses: list[Clause], index: int, resolver: OwnerResolver, text: str) -> str | None:
    """The client's "Can I scan it?" that the firm's next turn answers yes."""
    asked = _MAY_I.search(clauses[index].text)
    following = [c for c in clauses[index + 1 :] if c.turn == clauses[index].turn + 1]
    if asked is None or not following or resolver.side(following[0].speaker) != "firm" or not _YES.match(
            following[0].text.strip()):
        return None
    rest = asked["rest"].strip()
    pronoun = re.search(r"\b(?P<pro>it|them)\b", rest)
    if pronoun:
        document = named_document(" ".join(text[max(0, clauses[index].start - 700) : clauses[index].start].split()),
                                  pronoun["pro"])
        if document:
            rest = rest[: pronoun.start()] + "the " + document + rest[pronoun.end() :]
        back = re.search(r"\b\w+ing (?:it|them) back\b", following[0].text)
        rest += " back" if back and not rest.endswith(" back") else ""
    return f"Agreed: the client can {rest}"


_SENDING_NOW = re.compile(r"\b(?:I|we)(?:'ll|’ll| will|'m|’m| am)\s+(?:just\s+)?"
                          r"(?P<verb>forward|send|email|upload)(?:ing)?\s+(?:you\s+)?"
                          r"(?P<what>(?:the|my|our|a|that)\s+[^,.;!?]{2,60}?)\s+(?:now|over now|across now)\b",
                          re.IGNORECASE)
_GOT_IT = re.compile(r"\b(?:I(?:'ve|’ve| have) got it|(?:it|that)(?:'s|’s| has)\s+(?:just\s+)?(?:come through|arrived)"
                     r"|(?:I(?:'ve|’ve| have)|we(?:'ve|’ve| have)) (?:just )?received it)\b", re.IGNORECASE)
_PAST = {"forward": "forwarded", "send": "sent", "email": "emailed", "upload": "uploaded"}


def _received_now(clauses: list[Clause], index: int, resolver: OwnerResolver) -> str | None:
    """What the client sends during the call and the firm confirms receiving is done during the call.

    "I'll forward you the letter now" - "I've got it, it's just come through" is "Letter
    forwarded during the call".
    """
    if not _GOT_IT.search(clauses[index].text):
        return None
    turn = clauses[index].turn
    for earlier in reversed([c for c in clauses[:index] if c.turn == turn - 1]):
        sending = _SENDING_NOW.search(earlier.text) if resolver.side(earlier.speaker) == "client" else None
        if sending:
            what = re.sub(r"^(?:the|my|our|a|that)\s+", "", sending["what"], flags=re.IGNORECASE)
            return f"{what[0].upper() + what[1:]} {_PAST[sending['verb'].lower()]} during the call"
    return None


def _ruling(clause: Clause, resolver: OwnerResolver) -> str | None:
    """What the firm rules is not covered or not needed, said as settled (no "if", not a question)."""
    text = clause.text.strip()
    if text.endswith("?"):
        return None
    covered = _NOT_COVERED.search(text)
    if covered and not re.search(r"\b(?:if|whether|unless)\b", text[: covered.end("what")], re.IGNORECASE):
        what = covered["what"].strip()
        phrase = task_wording(f"{what} not covered{covered['rest']}".strip(), voices=Voices(None, True, None),
                              before="", resolver=resolver)
        return phrase[0].upper() + phrase[1:]
    needed = _NOT_NEEDED.search(text)
    if needed and not re.search(r"\b(?:if|whether|unless)\b", text[: needed.start()], re.IGNORECASE):
        return f"No {needed['what']} needed"
    return None


_TERM = re.compile(r"\b(?:rate|fee|fees|fixed|term|margin|excess|limit|premium|charge|years?|months?|cover)\b"
                   r"|[£$€%]|\d", re.IGNORECASE)
_FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty"
                     r"|fifty|hundred|thousand|point|per ?cent|percent|same)\b", re.IGNORECASE)
_ANSWER_LEAD = re.compile(r"^(?:(?:yes|yeah|yep|that's right|that’s right|correct|it is|it's|it’s)[,.]?\s*)",
                          re.IGNORECASE)


def _term_answer(clauses: list[Clause], index: int, resolver: OwnerResolver) -> str | None:
    """A short question on a term settled by the firm's short answer.

    "And the arrangement fee?" - "0.75%, same as last time" is "Arrangement fee: 0.75%, same
    as last time"; "Fixed for five years?" - "Yes, five" is "Fixed for five years: yes, five".
    """
    question = clauses[index].text.strip()
    if not question.endswith("?") or len(question.split()) > 10 or not _TERM.search(question):
        return None
    following = [c for c in clauses[index + 1 :] if c.turn == clauses[index].turn + 1]
    if not following or resolver.side(following[0].speaker) != "firm":
        return None
    answer = following[0].text.strip().rstrip(".!")
    if len(answer.split()) > 14 or not _FIGURE.search(answer) or answer.endswith("?"):
        return None
    topic = re.sub(r"^(?:(?:and|so|but|okay|ok|right|also),?\s+)*(?:what about\s+|how about\s+)?(?:the\s+)?", "",
                   question.rstrip("?").strip(), flags=re.IGNORECASE)
    if len(_words(topic) & _words(answer)) >= 2:
        return None  # "Yes, the arrangement fee stays at 0.75%" says it whole: the statement is the decision
    answer = _ANSWER_LEAD.sub(lambda m: "yes, " if m[0].lower().startswith("y") else "", answer, count=1)
    return f"{topic[0].upper() + topic[1:]}: {answer[0].lower() + answer[1:]}" if topic and answer else None


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{3,}", text.lower()) if w not in {"the", "and", "for", "yes", "does", "stay"}}


def _advice_declined(clause: Clause, resolver: OwnerResolver, text: str) -> str | None:
    if resolver.side(clause.speaker) != "firm" or not _NO_ADVICE.search(clause.text):
        return None
    referral = _REFERRAL.search(text, clause.start, min(len(text), clause.end + 400))
    if referral is None:
        return None
    who = referral["who"].lower()
    lead = "No recommendation given (execution-only)" if "execution-only" in clause.text.lower() else (
        "No recommendation given")
    return f"{lead}; referred to {'an' if who[0] in 'aeiou' else 'a'} {who}"


def settled(clauses: list[Clause], resolver: OwnerResolver, text: str, actions: list[Action] | None = None,
            kind: str = "call_transcript") -> list[str]:
    """The decisions settled in exchanges, in text order (module docstring)."""
    out: list[str | None] = [*_asked_for(clauses, resolver, actions or [], kind)]
    for index, clause in enumerate(clauses):
        if clause.quoted:
            continue
        side = resolver.side(clause.speaker)
        if side == "client":
            out.append(_client_choice(clause, resolver))
            if _PRO_FORM_YES.match(clause.text.strip()):
                out.append(_agreed_plan(clauses, index, resolver))
            out.append(_settled_question(clauses, index, resolver, text))
            out.append(_term_answer(clauses, index, resolver))
        elif side == "firm":
            written = _WRITTEN_YES.match(clause.text.strip())
            if written:
                what = " ".join(written["what"].split())
                out.append(what[0].upper() + what[1:])
            out.append(_advice_declined(clause, resolver, text))
            out.append(_ruling(clause, resolver))
            out.append(_received_now(clauses, index, resolver))
        out.append(_noted_decline(clauses, index, resolver))
        out.append(_noted_agreement(clauses, index, resolver))
    return [d for d in out if d]


def _client_want(clause: Clause, resolver: OwnerResolver) -> str | None:
    """What a note says the client wants or asked for ("PA wants dual authorisation on all new payees")."""
    for m in NOTED_ASK.finditer(clause.text):
        who = resolver.participant(m["who"])
        if m["who"].lower() == "client" or (who is not None and who.side == "client"):
            return m["what"].strip()
    return None


def _noted_agreement(clauses: list[Clause], index: int, resolver: OwnerResolver) -> str | None:
    """A note's "Agreed - ops team to switch it on" after "PA wants dual authorisation...": the want is agreed."""
    clause = clauses[index]
    if not _AGREED_NOTE.match(clause.text.strip()):
        return None
    for earlier in reversed(clauses[:index]):
        if earlier.turn != clause.turn:
            break
        want = _client_want(earlier, resolver)
        if want:
            return f"Agreed: {_worded(want, earlier, resolver)}"
    return None


def _asked_for(clauses: list[Clause], resolver: OwnerResolver, actions: list[Action], kind: str) -> list[str]:
    """The firm's own work that answers what the client asked for: agreed at the client's request.

    In a note the client's want and the firm's action share a bullet ("AM wants monthly income
    up to £5k. PV to raise income to £5k/m"); in a conversation the client's request is the
    turn just before the firm's commitment.
    """
    out = []
    for action in actions:
        start = action.evidence.start
        if action.owner_side != "firm" or action.type != "task" or start is None:
            continue
        at = next((i for i, c in enumerate(clauses) if c.start <= start < c.end and not c.quoted), None)
        if at is None:
            continue
        if kind == "meeting_notes":
            asked = any(_client_want(c, resolver) for c in clauses[:at] if c.turn == clauses[at].turn)
        else:
            asked = any(resolver.side(c.speaker) == "client" and _requests(c, kind) for c in clauses[:at]
                        if c.turn == clauses[at].turn - 1)
        if asked:
            out.append(_by_role(action.description, resolver))
    return out


def _requests(clause: Clause, kind: str) -> bool:
    found = cm.detect(clause.text.strip(), written=kind != "call_transcript", notes=kind == "meeting_notes")
    return found is not None and found.kind == "request"


def _by_role(description: str, resolver: OwnerResolver) -> str:
    """A description with the client's names as "the client" (a decision reads without names)."""
    for name in sorted((p.name for p in resolver.participants if p.side == "client"), key=len, reverse=True):
        description = re.sub(rf"\b{re.escape(name)}(?:['’]s\b|’)", "the client’s", description)
        description = re.sub(rf"\b{re.escape(name)}\b", "the client", description)
    return description


def _noted_decline(clauses: list[Clause], index: int, resolver: OwnerResolver) -> str | None:
    """A note's "ER declined" after the bullet's "YD presented FX forward proposal - hedge 50%..."."""
    clause = clauses[index]
    declined = _NOTE_DECLINE.match(clause.text.strip())
    who = resolver.participant(declined["who"]) if declined else None
    if who is None or who.side != "client":
        return None
    for earlier in reversed(clauses[:index]):
        if earlier.turn != clause.turn:
            break
        offer = _NOTE_OFFER.search(earlier.text)
        if offer:
            return f"Declined by the client: {_worded(offer['what'], earlier, resolver)}"
    return None
