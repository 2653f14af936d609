"""The interaction summary fields the rules engine can fill from surface cues.

Every list holds short phrases in the third person (`pipeline.rules.wording`), not pasted
sentences:

- **client asks**: the client's requests as tasks ("Cancel the golf club direct debit") and
  the client's questions as "Whether ..." phrases ("Whether probate is needed");
- **decisions**: what was agreed ("let's go ahead with...", "agreed", "in principle"), what
  was done during the interaction ("I've cancelled the direct debit") and what is kept as it
  is ("the arrangement fee stays at 0.75%", `pipeline.rules.unchanged`);
- **key facts**: one clause each that holds an amount or a rate, amounts written as figures
  ("fifteen thousand pounds" is "£15,000");
- **concerns** and **preferences** from explicit phrasings;
- **sentiment** from the client's own words, or `unknown` when they say nothing that shows
  it: a fraud call is not "positive" because someone said thanks;
- **before the next interaction**: what to keep in mind that is not already an action (the
  client's preferences and concerns, and what the client still owes).

Deliberately modest: a vague note yields almost nothing, which is the honest answer. A
clause classifier for decisions and asks (commit 59deeac, removed in the next commits) raised
held-out recall but listed mostly facts and remarks on the shipped demo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from pipeline.rules import asks as ak
from pipeline.rules import commitments as cm
from pipeline.rules import done as dn
from pipeline.rules import questions as qs
from pipeline.rules.choices import settled
from pipeline.rules.decisions import named_document
from pipeline.rules.figures import sole_currency, written_figures
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.proposals import accepted_offers, named_thing, recommendations
from pipeline.rules.sentiment import client_sentiment, noted_of_client
from pipeline.rules.turns import Clause
from pipeline.rules.unchanged import kept_as_is
from pipeline.rules.wording import Voices, antecedent, task_wording
from pipeline.schemas import Action, InteractionSummary, Participant, Purpose, SummaryParticipant

_ASK = re.compile(r"\?\s*$|\b(?:could|can|would) you\b|\bplease\b|\bI (?:want|would like|'d like|need)\b",
                  re.IGNORECASE)
_QUESTION = re.compile(
    r"^(?:(?:so|and|but|also|okay|ok|right|well|um|uh|just|oh|actually|sorry|first|firstly|second|secondly|"
    r"then),?\s+)*(?P<aux>can|could|would|will|do|does|did|am|is|are|"
    r"was|were|should|has|have)\s+(?P<subject>I|we|you|it|there|this|that|(?:all|any|some) of (?:this|that|it|them)|"
    r"(?:the|my|our|his|her) \w+(?: (?!(?:go|be|come|get|take|work|happen|change|still|also|really|just|need|have|"
    r"make|stay|count|apply|affect|include|cover|pay|mean)\b)\w+)?)\s+"
    r"(?P<rest>.+?)\??$",
    re.IGNORECASE,
)
_WH_QUESTION = re.compile(r"^(?:(?:so|and|but|also|okay|ok|right|well|just|actually|sorry|first|firstly|"
                          r"second|secondly|then),?\s+)*(?P<wh>what|how|when|why|where|"
                          r"which|who)\b(?P<rest>.+?)\??$", re.IGNORECASE)
_AGREED = re.compile(
    r"\blet(?:'s|’s| us)\s+(?!me\b|you\b|say\b|see\b|just\b|hope\b|get started\b|start\b|have a look\b)\w+"
    r"|\bwe(?:'ll|’ll| will) (?:go ahead|go with|proceed|stick with)\b"
    r"|\bgo ahead (?:with|and)\b|\bin principle\b|\b(?:we've|we have|I've|I have) (?:agreed|decided)\b"
    r"|\bagreed (?:to|that|on)\b|\bhappy to (?:go ahead|proceed|go with)\b|\bon hold\b|\bput a hold\b"
    r"|\bwon't (?:process|pay|release|make)\b|\bthat's (?:agreed|settled|decided)\b"
    r"|\b(?:ok|okay|happy|fine) with (?:this|that|it)\b|\s-\s+agreed\b",
    re.IGNORECASE,
)
_PAST = re.compile(r"\b(?:last|previous) (?:year|time|month|week|review|meeting)\b|\bused to\b", re.IGNORECASE)
# What comes before the question itself: "I suppose my question is, am I covered?", "If they say no, can I...?"
_QUESTION_LEAD = re.compile(r"^(?:.{0,40}?\b(?:my|the|our) (?:question|worry|concern) is,?\s*"
                            r"|if [^,?]{3,80},\s*|while (?:I|we)(?:'ve|’ve| have) got you,?\s*)", re.IGNORECASE)
# A tag after the question: "..., do you think?", "..., would you say?"
_QUESTION_TAG = re.compile(r",?\s+(?:do|would|don't) you (?:think|reckon|say)\s*\?$", re.IGNORECASE)
# A want stated outright: "I want all the fees refunded and I want it logged as a complaint".
# "I'll need twenty thousand out to my current account" wants the money, as "I need to..." wants the act.
_WANT = re.compile(r"\b(?:I|we)(?:'d|’d| would|'ll|’ll| will)?\s+(?:really\s+|just\s+|also\s+)?"
                   r"(?:want|like|expect|need(?=\s+(?:to|some|the|a|an|[£$€\d]|\w+ (?:thousand|hundred))\b))\s+"
                   r"(?:to\s+)?(?!you\b|(?:it|that)\b(?!\s+\w+ed\b))"
                   r"(?P<what>(?:[^.;!?]|\.(?=\d)){4,140}?)(?=,?\s+(?:and|but|so)\s+(?:I|we)\b|[.;!?](?!\d)|$)",
                   re.IGNORECASE)
_AS_WHAT = re.compile(r"\s+as\s+(?:an?\s+)?(?P<what>[^,.;!?]{3,60}?)"
                      r"(?=\s+(?:under|with|for|and|now|today|so)\b|[,.;!?]|$)", re.IGNORECASE)
_VAGUE_ASK = re.compile(r"^(?:whether|what|how)\s+(?:that|it|this|there|so)\b(?:\s+\w+){0,3}$"
                        r"|^what happens(?:\s+(?:now|next|then))?$"
                        r"|^\w+\s+(?:that|it|this|them)$",
                        re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|never|no)\s+(?:\w+\s+)?$|n[’']t\s+(?:\w+\s+)?$", re.IGNORECASE)
_CONCERN = re.compile(r"\b(?:worried|concerned|unhappy|not happy|fed up|frustrat\w+|disappointed|dreading|"
                      r"complain\w*|not acceptable|scare\w*|anxious|stress\w*)\b", re.IGNORECASE)
_PREFERENCE = re.compile(r"\b(?:mornings?|afternoons?|evenings?) (?:are|is) best\b|\bI(?:'d| would) prefer\b|"
                         r"\bprefer(?:s|red)?\b|\bwould rather\b", re.IGNORECASE)
_FACT = re.compile(r"[£$€]\s?\d|\d\s?%|\bper ?cent\b|\b(?:GBP|EUR|USD|SGD|AUD|A\$)\s?\d", re.IGNORECASE)
_SENSITIVE = re.compile(r"\b(?:recommend\w*|complain\w*|transfer|payment|payee|fee|charge|rate|premium|limit|"
                        r"covenant|exclusion|excess|died|bereave\w*|redundan\w*|diagnos\w*|tax|probate|trust|will)\b",
                        re.IGNORECASE)
_CHANNELS = {"call_transcript": "phone", "email": "email", "meeting_notes": "meeting"}
_PHRASE_CHARS = 140


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
    decided: list[str] | None = None,
) -> InteractionSummary:
    """Assemble the summary from clauses, actions and the purpose already chosen.

    `decided` holds the decisions the action pass found (`pipeline.rules.decisions`): dates
    moved during the interaction and the records the firm agreed to open; they follow the
    agreements and completions stated in words.
    """
    new = [c for c in clauses if not c.quoted]
    # A client's ask in the quoted email the firm is answering is still the client's ask.
    client_clauses = [c for c in clauses if (p := resolver.participant(c.speaker)) is not None and p.side == "client"]
    def word(raw: str, clause: Clause) -> str:
        return _statement(replace(clause, text=raw), resolver, roles=True)

    asks = [_useful(ak.in_context(a, i, clauses, resolver, kind, word)) for i, c in enumerate(clauses)
            if c in client_clauses for a in _clause_asks(c, resolver, kind, actions, participants, _near(clauses, i))]
    asks += [_useful(a) for c in clauses for a in ak.reported_asks(c, resolver, word)]
    if kind == "meeting_notes":
        asks += [_useful(a) for c in clauses for a in ak.noted_asks(c, text, resolver, word)]
    asks += [_useful(a) for a in accepted_offers(clauses, resolver, text)]
    concerns = _unique(_statement(c, resolver) for c in client_clauses if _voiced_concern(c.text))[:5]
    preferences = _unique(_statement(c, resolver) for c in client_clauses if _PREFERENCE.search(c.text))[:5]
    # Amounts said without a currency ("move the twenty thousand across") take the one the interaction names.
    currency = sole_currency(text)
    decisions = _unique(written_figures(d, currency) for d in [
        *(_done_as_asked(i, clauses, resolver, kind) or _decision(c, resolver, text, kind)
          for i, c in enumerate(clauses) if not c.quoted), *recommendations(clauses, resolver),
        *settled(clauses, resolver, text, actions, kind), *(decided or [])] if d)[:10]
    listed = {"decisions": decisions, "client_asks": _unique(written_figures(a, currency) for a in asks if a)[:8]}
    return InteractionSummary(
        client=client,
        kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred_at,
        channel=_channel(kind, text),
        participants=[SummaryParticipant(name=p.name, role=p.role, side=p.side) for p in participants],
        purpose=purpose,
        key_facts=_unique(_fact(c, resolver, currency) for c in new
                          if _FACT.search(written_figures(c.text, currency)))[:8],
        client_asks=listed["client_asks"],
        concerns=concerns,
        preferences=preferences,
        decisions=listed["decisions"],
        sentiment=client_sentiment(" ".join(c.text for c in client_clauses)
                                   or (noted_of_client(clauses, resolver) if kind == "meeting_notes" else "")),
        sensitive_points=[c.text for c in clauses if _SENSITIVE.search(c.text)][:8],
        before_next_interaction=_before_next(preferences, concerns, actions),
    )


def _channel(kind: str, text: str) -> str:
    if kind == "meeting_notes" and re.search(r"\b(?:video|teams|zoom)\b", text[:300], re.IGNORECASE):
        return "video call"
    if kind == "meeting_notes" and re.search(r"\bphone\b", text[:300], re.IGNORECASE):
        return "phone"
    return _CHANNELS.get(kind, "other")


def _voices(clause: Clause, resolver: OwnerResolver) -> Voices:
    speaker = resolver.participant(clause.speaker)
    is_firm = speaker.side == "firm" if speaker else True
    others = [p for p in (resolver.participant(a) for a in clause.addressees) if p is not None]
    other = [p for p in others if speaker is None or p.side != speaker.side] or [
        p for p in resolver.participants if speaker is None or p.side != speaker.side]
    return Voices(speaker.name if speaker else None, is_firm, other[0].name if other else None)


def _roles(voices: Voices) -> Voices:
    """The same voices written as roles: an ask reads "the client's account", a list of asks needs no names."""
    return Voices(None, voices.speaker_is_firm, None)


def _near(clauses: list[Clause], index: int) -> tuple[str, str]:
    """The texts of the clauses just before and just after one, in the same turn ("" at a turn's edge)."""
    turn = clauses[index].turn
    before = clauses[index - 1].text if index > 0 and clauses[index - 1].turn == turn else ""
    after = clauses[index + 1].text if index + 1 < len(clauses) and clauses[index + 1].turn == turn else ""
    return before, after


def _clause_asks(clause: Clause, resolver: OwnerResolver, kind: str, actions: list[Action],
                 participants: list[Participant], near: tuple[str, str] = ("", "")) -> list[str | None]:
    """The clause's own asks, with a request the action pass took up worded as that action.

    Two wordings of one request keep the action's task wording, unless the clause's own ask
    is a question ("Whether ...", "What ..."), which the action's task loses.
    """
    own = _asks(clause, resolver, kind, near[0])
    claim = qs.reported_claim(clause.text, near[1])
    if claim:
        own.append(_short(task_wording(claim, voices=_roles(_voices(clause, resolver)), before="", resolver=resolver)))
    for request in _requested(clause, actions, participants):
        same = next((i for i, a in enumerate(own) if a and _overlap(request, a) >= 0.5), None)
        if same is None:
            own.append(request)
        elif not (own[same] or "").lower().startswith(("whether", "what", "how", "when", "why", "where")):
            own[same] = request
    return own


def _overlap(a: str, b: str) -> float:
    """Shared content words over the smaller phrase's: near 1 for two wordings of one request."""
    x, y = _content(a), _content(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def _requested(clause: Clause, actions: list[Action], participants: list[Participant]) -> list[str]:
    """A client's request the action pass took up as the firm's work, in that action's wording, people by role.

    The action pass reads requests more closely than the ask cues here (a numbered list under
    "Please can you:", "could Mei Lin find a slot..."), so its task wording is the ask.
    """
    clients = sorted((p.name for p in participants if p.side == "client"), key=len, reverse=True)
    out = []
    for action in actions:
        start = action.evidence.start
        if action.owner_side != "firm" or start is None or not clause.start <= start < clause.end:
            continue
        ask = action.description
        for name in clients:
            ask = re.sub(rf"\b{re.escape(name)}(?:['’]s\b|’)", "the client’s", ask)
            ask = re.sub(rf"\b{re.escape(name)}\b", "the client", ask)
        out.append(ask)
    return out


def _asks(clause: Clause, resolver: OwnerResolver, kind: str, before: str = "") -> list[str | None]:
    """A client's asks in one clause: each want stated outright is its own ask, else the one request or question."""
    single = _ask(clause, resolver, kind, before)
    wants = [m["what"] for m in _WANT.finditer(clause.text)]
    if not wants or (single is not None and single.lower().startswith(("whether", "what", "how", "when", "why"))):
        return [single]
    voices = _roles(_voices(clause, resolver))
    return [_short(task_wording(w, voices=voices, before="", resolver=resolver)) for w in wants]


def _ask(clause: Clause, resolver: OwnerResolver, kind: str, before: str = "") -> str | None:
    """A client's request as a task, or a client's question as a "Whether ..." / "How ..." phrase.

    `before` is the clause just before in the same turn, where "those" in "Covenants. Are you
    changing those?" gets its topic.
    """
    # A quoted email's wrapped lines keep their "> " inside the clause: "sell\n> first".
    stripped = re.sub(r"\s*\n>\s?", " ", clause.text.strip())
    if stripped.endswith("?"):
        stripped = qs.with_topic(_QUESTION_TAG.sub("?", _QUESTION_LEAD.sub("", stripped, count=1)), before)
        named = qs.elliptical(stripped)
        if named:
            return _short(task_wording(named, voices=_roles(_voices(clause, resolver)), before="", resolver=resolver))
    detection = cm.detect(stripped, written=kind != "call_transcript", notes=kind == "meeting_notes")
    voices = _voices(clause, resolver)
    if detection is not None and detection.kind == "request" and detection.verb:
        m = re.compile(rf"\b{re.escape(detection.verb)}\b").search(stripped, min(detection.start, len(stripped)))
        if m:
            return _short(task_wording(stripped[m.start():], voices=_roles(voices), before="", resolver=resolver,
                                       clause=stripped))
    question = _QUESTION.match(stripped)
    if question and stripped.endswith("?"):
        aux = question["aux"].lower()
        # "Do I need probate?" asks whether the client needs probate: "do" carries no meaning of its own.
        verb = "" if aux in ("do", "does", "did") else f" {aux}"
        rest = question["rest"]
        # "does" says the subject is singular ("my diagnosis"); after "do" a plural keeps the verb as it is.
        if aux == "does" or (aux == "do" and not re.search(r"(?<!['’])s$|^(?:they|(?:all|any|some) of)",
                                                             question["subject"])):
            rest = qs.third_person(rest)  # "Does my diagnosis count?": whether it counts
        phrase = f"whether {question['subject']}{verb} {rest}"
        return _short(task_wording(phrase, voices=_roles(voices), before="", resolver=resolver))
    wh = _WH_QUESTION.match(stripped)
    if wh and stripped.endswith("?"):
        # "What do I do with the email?" asks what to do with it.
        rest = re.sub(r"^\s+(?:do|should|can|could) (?:I|we) (?=\w)", " to ", wh["rest"], flags=re.IGNORECASE)
        rest = qs.indirect(re.sub(r",?\s+(?:by the way|though)$", "", rest, flags=re.IGNORECASE))
        # "What would you do?" asks that person's own view: it keeps their name.
        opinion = re.search(r"\b(?:would|do) you (?:do|think|reckon|recommend|suggest)\b", stripped, re.IGNORECASE)
        return _short(task_wording(wh["wh"].lower() + rest, voices=voices if opinion else _roles(voices), before="",
                                   resolver=resolver))
    # Any other ask keeps its words, in the third person.
    return _statement(clause, resolver) if _ASK.search(stripped) and len(stripped) > 15 else None


def _useful(ask: str | None) -> str | None:
    """Drop asks that name nothing ("Whether that is right", "What happens now")."""
    return None if ask is None or _VAGUE_ASK.search(ask) else ask


def _voiced_concern(text: str) -> bool:
    """A worry the client states, not one they deny ("I'm not complaining")."""
    return any(not _NEGATED.search(text[: m.start()]) for m in _CONCERN.finditer(text))


def _decision(clause: Clause, resolver: OwnerResolver, text: str, kind: str) -> str | None:
    """What was agreed, or what was done during the interaction ("Golf club direct debit cancelled during the call")."""
    where = {"call_transcript": "the call", "email": "the email", "meeting_notes": "the meeting"}[kind]
    placed = dn.PLACED.search(clause.text)
    if placed:
        return _short(f"{placed['what'].capitalize()} placed on {placed['on'].strip()} during {where}")
    done = dn.DONE_OBJECT.search(clause.text)
    if done:
        object_ = done["object"].strip()
        as_what = re.match(r"(?:that|it|this)\s+as\s+(?:an?\s+)?(?P<what>.+)", object_, re.IGNORECASE) or (
            re.fullmatch(r"that|it|this", object_, re.IGNORECASE) and _AS_WHAT.match(clause.text, done.end("object")))
        if as_what:
            object_ = as_what["what"]  # "I've logged that as a formal complaint": a formal complaint was logged
        elif re.fullmatch(r"(?:that|it|this|them|those)", object_, re.IGNORECASE):
            before = text[max(0, clause.start - 700) : clause.start]
            # "them" is plural: the attachments just named, not the account they came from.
            named = (named_document(" ".join(before[-400:].split()), object_) if object_.lower() in ("them", "those")
                     else None) or named_thing(before)
            object_ = ("the " + named if named else antecedent(before, object_.lower(), people=False) or "")
        if object_:
            phrase = task_wording(f"{object_} {done['verb'].lower()} during {where}",
                                  voices=_roles(_voices(clause, resolver)), before="", resolver=resolver)
            phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)
            return _short(phrase[0].upper() + phrase[1:])
    kept = kept_as_is(clause.text, by_firm=_voices(clause, resolver).speaker_is_firm,
                      before=text[max(0, clause.start - 700) : clause.start])
    if kept:
        return _short(kept)
    finished = _finished(clause, resolver, text, kind, where)
    if finished:
        return finished
    if (dn.DONE.search(clause.text) or _AGREED.search(clause.text)) and not _PAST.search(clause.text):
        statement = _statement(clause, resolver, roles=True)
        # "That's done" names nothing: the thing done is in the clause that names it.
        # Nor does "Do that": `choices` words the plan it agrees to.
        return None if _NAMES_NOTHING.fullmatch(statement) else statement
    return None


# A completion or agreement that names nothing: "That's sent now", "Do that, then".
_NAMES_NOTHING = re.compile(r"(?:(?:that|it|this)(?:'s|’s| is) (?:all )?(?:done|sorted|sent)(?: now| for you)?"
                            r"|do (?:that|it|this)(?:,? then)?)\W*", re.IGNORECASE)


def _finished(clause: Clause, resolver: OwnerResolver, text: str, kind: str, where: str) -> str | None:
    """Finished work said as a state ("Paul's card is cancelled") or reported in a note ("TN refunded as one-off")."""
    voices = _voices(clause, resolver)
    if not voices.speaker_is_firm or clause.text.rstrip().endswith("?"):
        return None
    state = dn.state_done(clause.text)
    if state:
        phrase = task_wording(f"{state} during {where}", voices=_roles(voices), before="", resolver=resolver)
        phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)
        return _short(phrase[0].upper() + phrase[1:])
    if kind != "meeting_notes":
        return None
    bullet = text[text.rfind("\n", 0, clause.start) + 1 : clause.start]
    phrase = dn.noted_phrase(clause.text, bullet,
                             is_firm=lambda who: getattr(resolver.participant(who), "side", None) == "firm")
    return _short(phrase) if phrase else None


_DONE_PRO_FORM = re.compile(r"\b(?:that|it|this)(?:'s|’s| is| has been| was)\s+(?:now\s+|all\s+|just\s+)?"
                            r"(?:updated|done|changed|sorted|cancelled|stopped|sent|set up|booked|removed|added|"
                            r"amended)(?=\s+(?:now|for you|already)\b|\s*[.,;!]|$)", re.IGNORECASE)


def _done_as_asked(index: int, clauses: list[Clause], resolver: OwnerResolver, kind: str) -> str | None:
    """The firm does what the client just asked ("can you change the email address?" - "that's updated now")."""
    clause = clauses[index]
    speaker = resolver.participant(clause.speaker)
    if speaker is None or speaker.side != "firm" or not _DONE_PRO_FORM.search(clause.text):
        return None
    for earlier in reversed(clauses[max(0, index - 6) : index]):
        asker = resolver.participant(earlier.speaker)
        if clause.turn - earlier.turn > 2 or asker is None:
            break
        detection = cm.detect(earlier.text.strip(), written=kind != "call_transcript", notes=kind == "meeting_notes")
        asked = asker.side == "client" and detection is not None and detection.kind == "request"
        ask = _useful(_ask(earlier, resolver, kind)) if asked else None
        if ask:
            where = {"call_transcript": "the call", "email": "the email", "meeting_notes": "the meeting"}[kind]
            return _short(f"{ask}: done during {where}")
    return None


def _statement(clause: Clause, resolver: OwnerResolver, *, roles: bool = False) -> str:
    """A clause in the third person (people by role with `roles`), trimmed to its main part."""
    body = re.sub(r"^(?:(?:so|and|but|okay|ok|right|well|then|yes|great|perfect|now|um|uh|look|listen|honestly|"
                  r"basically|fine|good),?\s+)+", "",
                  clause.text.strip(), flags=re.IGNORECASE)
    body = re.sub(r"^let(?:'s|’s| us)\s+", "", body, flags=re.IGNORECASE)
    voices = _voices(clause, resolver)
    return _short(task_wording(body, voices=_roles(voices) if roles else voices, before="", resolver=resolver))


def _fact(clause: Clause, resolver: OwnerResolver, currency: str | None) -> str:
    return _statement(replace(clause, text=written_figures(clause.text, currency)), resolver)


def _before_next(preferences: list[str], concerns: list[str], actions: list[Action]) -> list[str]:
    """What to keep in mind next time that is not already an action: the client's preferences and concerns.

    A concern an action already answers (it shares its content words) is left to that action.
    """
    answered = {w for a in actions for w in _content(a.description)}
    open_concerns = [c for c in concerns if len(_content(c) - answered) >= 2]
    return [*(f"Preference: {p}" for p in preferences), *(f"Concern raised: {c}" for c in open_concerns)][:8]


def _content(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def _short(text: str) -> str:
    if len(text) <= _PHRASE_CHARS:
        return text
    cut = max(text.rfind(", ", 0, _PHRASE_CHARS), text.rfind(" and ", 0, _PHRASE_CHARS))
    return text[: cut if cut > _PHRASE_CHARS // 2 else text.rfind(" ", 0, _PHRASE_CHARS)]


def _unique(items: Iterable[str | None]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out
