"""Which clauses of an interaction state its decisions and its client asks: a small learned classifier.

**Not on the drafting path** (2026-12-04). Adding up to two picks per field after the cue
rules' phrases raised recall on held-out data (fs-fresh2 asks / decisions 0.60 / 0.27 ->
0.70 / 0.41 by the scorer's cosine >= 0.45 match), but on the shipped demo about 5 of its 24
picks were real decisions or asks: the rest were facts ("Last year's renewal fee was
£600"), remarks ("The firm can see the joint current account") and actions, and junk
scored as high as the good picks (0.9 and above), so no cut separates them. A reviewer
would delete most of them, and the recap letter lists decisions under "What we agreed".
The module, its weights and `evals/fit_salient.py` stay for the next attempt (features that
tell an outcome from a statement); `summary` does not call `add_picks`.

Why a classifier: the summary's cue rules (`summary`, `choices`, `done`, `decisions`, `asks`)
were written against a few writers' phrasing and find a third of the gold decisions on
interactions by another writer. What a decision or an ask *is* carries across writers better
than how one writer says it, so each clause is scored by a logistic regression over features
no single writer's wording decides: who speaks, a question, a want or a request, a commitment,
figures and dates, a completion ("cancelled", "I've put a hold on"), an agreement or a change
("fine", "stays", "instead"), a recap, where in the interaction it sits, whether the other
side asked just before or agreed just after, and a few of their pairs (the client's question,
the firm's completion).

Design decisions:

- **No sentence embedding.** The local MiniLM vector of each clause was tried as 384 more
  features: fitted on the other sets and scored on the first 15 of fs-train3 (a new writer),
  it was no better (decisions 0.50 with it, 0.53 without; asks 0.56 against 0.62) and drafting
  took 2.1 s instead of 0.08 s a record on the loaded machine (the model on every clause).
  The rules engine stays model-free.
- **The weights are data**, `pipeline/rules/data/salient.v1.json` (feature names, one
  coefficient vector and intercept per field, the probability cut, how many picks to add),
  fitted by `evals/fit_salient.py` on the tuning sets only; `version` is a hash of the file.
  Inference is one dot product per clause, in numpy: no scikit-learn at run time.
- **The rules keep the first word.** The classifier would only add clauses the rules did not
  word: `summary` lists the rules' phrases first, then at most `max_picks` of the classifier's
  picks that are no near-copy of a listed phrase (`merge`). A pick is the clause itself in
  the third person, so it is always something the interaction says.
- **What may be picked is a rule, not a weight** (`masks`): an ask is the client's words (a
  request is often implied by a statement: "the old account closes next week"), a note's line
  or the firm's "you asked..."; a decision is no question, condition, want or concern, is not
  where an action came from or a restatement of one, and is not about what happened before
  the interaction.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.rules import commitments as cm
from pipeline.rules import done as dn
from pipeline.rules.owners import OwnerResolver
from pipeline.rules.turns import Clause

WEIGHTS_PATH = Path(__file__).parent / "data" / "salient.v1.json"
"""The fitted classifier (`evals/fit_salient.py` writes it)."""

FIELDS = ("decisions", "client_asks")

_AGREE = re.compile(r"\b(?:agreed?|agree(?:s|d)? to|decided|go ahead|proceed|accept\w*|declin\w*|happy (?:to|with)|"
                    r"fine|okay|ok|sounds good|let(?:'s|’s| us)|settled|confirm\w*|in principle|chosen?|go with|"
                    r"stick with|rather)\b", re.IGNORECASE)
_CHANGE = re.compile(r"\b(?:moved?|move it|push(?:ed)? (?:it )?back|instead|rather than|make it|change[ds]? to|"
                     r"stays?|kept|keep|remain\w*|unchanged|same)\b", re.IGNORECASE)
_WANT = re.compile(r"\b(?:I|we)(?:'d|’d| would)? (?:really |just |also )?(?:like|want|need|wanted|hoping|hope)\b"
                   r"|\b(?:could|can|would|will) you\b|\bplease\b|\bis it possible\b|\bany chance\b", re.IGNORECASE)
_QUESTION_WORD = re.compile(r"^(?:(?:so|and|but|also|okay|ok|right|well|just|oh|actually|sorry),?\s+)*"
                            r"(?:what|how|when|why|where|which|who|whether|is|are|can|could|would|will|do|does|did|"
                            r"should|has|have|am)\b", re.IGNORECASE)
_FIGURE = re.compile(r"[£$€]\s?\d|\d\s?%|\d|\b(?:hundred|thousand|million|per ?cent)\b", re.IGNORECASE)
_SMALL_TALK = re.compile(r"\b(?:thanks|thank you|cheers|bye|goodbye|take care|hello|morning|afternoon|lovely|"
                         r"date of birth|security|postcode|speaking|how can I help|you're welcome)\b", re.IGNORECASE)
_RECAP = re.compile(r"\b(?:to recap|recap|to summari[sz]e|in summary|so to confirm|just to confirm|to confirm|"
                    r"so we're clear|next steps)\b", re.IGNORECASE)
_YES = re.compile(r"^(?:yes|yeah|yep|ok|okay|fine|great|perfect|lovely|brilliant|sure|agreed|that's fine|that works|"
                  r"sounds good|go ahead|let's do|please do|of course|absolutely)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|won't|can't|cannot|don't|isn't|aren't)\b|n[’']t\b", re.IGNORECASE)
_PAST_DONE = re.compile(rf"\b(?:{dn.COMPLETED}|done|sorted|put|taken|booked|noted)\b", re.IGNORECASE)

_TO_BE = re.compile(r"\b(?:to be|will be|'ll be|’ll be|is going to be|are going to be|gets?|needs? to be)"
                    r"\s+\w+(?:ed|en)\b"
                    r"|\b\w+ to (?:go|stay|come|be paid|be sent|be taken)\b", re.IGNORECASE)
_YOU_ASKED = re.compile(r"\byou (?:also )?(?:asked|wanted|mentioned|raised|queried)\b", re.IGNORECASE)
_NOW = re.compile(r"\b(?:during (?:the|this) (?:call|meeting)|just now|right now|now|already"
                  r"|in (?:the )?(?:mtg|meeting|branch)|on the call|while we)\b", re.IGNORECASE)
_DAY = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|tonight|next week"
                  r"|end of (?:the )?(?:week|month)|january|february|march|april|may|june|july|august|september"
                  r"|october|november|december|\d{1,2}(?:st|nd|rd|th)\b)", re.IGNORECASE)
_AMOUNT = re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:k|m|bn|pounds|euros|dollars)\b|\b(?:hundred|thousand|million)\b",
                     re.IGNORECASE)
_CONDITIONAL = re.compile(r"^(?:(?:and|so|but|okay|ok|well),?\s+)?(?:if|unless|whether|in case|should)\b",
                          re.IGNORECASE)
_WH = re.compile(r"^(?:(?:so|and|but|also|okay|ok|right|well|just|oh|actually|sorry),?\s+)*"
                 r"(?:what|how|when|why|where|which|who)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")

FEATURES = (
    "side_firm", "side_client", "quoted", "question", "kind_call", "kind_email", "kind_notes", "position", "late",
    "early", "log_words", "figure", "done", "past_verb", "agree", "change", "want", "commitment", "request",
    "answers_question", "agreed_after", "small_talk", "recap", "negation", "first_turn", "to_be", "you_asked", "now",
    "day", "amount", "conditional", "wh_question", "bullet", "client_question", "client_want", "client_agree",
    "firm_done", "firm_agree", "firm_change", "after_client_ask", "short",
)
"""The features, in the order of the weights file's coefficients."""


@dataclass(frozen=True)
class Weights:
    """One field's fitted logistic regression."""

    coef: np.ndarray
    intercept: float
    threshold: float


@dataclass(frozen=True)
class Model:
    """The fitted classifier for every field, as stored in the weights file."""

    version: str
    features: tuple[str, ...]
    fields: dict[str, Weights]
    max_picks: dict[str, int]


def load_model(path: Path = WEIGHTS_PATH) -> Model | None:
    """The classifier stored at `path`, or None when there is none (the rules then work alone).

    Raises:
        ValueError: The file's features are not the ones this module computes.
    """
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path.name} was fitted on other features; re-run evals/fit_salient.py")
    fields = {name: Weights(np.asarray(w["coef"], dtype=np.float32), float(w["intercept"]), float(w["threshold"]))
              for name, w in data["fields"].items()}
    return Model(version=data["version"], features=FEATURES, fields=fields,
                 max_picks={k: int(v) for k, v in data["max_picks"].items()})


@lru_cache(maxsize=1)
def shipped_model() -> Model | None:
    """The packaged classifier, read once."""
    return load_model()


def clause_text(clause: Clause) -> str:
    """The clause as the model reads it: a quoted email's "> " line prefixes removed, whitespace joined."""
    return " ".join(re.sub(r"\n\s*>\s?", " ", clause.text).split())


def candidate(clause: Clause) -> bool:
    """A clause long enough to state a decision or an ask (not "Okay." or "Thanks, Declan.")."""
    return len(clause_text(clause).split()) >= 4


def lexical_features(clauses: list[Clause], resolver: OwnerResolver, kind: str, text: str) -> np.ndarray:
    """One row of `FEATURES` per clause."""
    rows = []
    size = max(len(text), 1)
    first_turn = min((c.turn for c in clauses), default=0)
    for index, clause in enumerate(clauses):
        body = clause_text(clause)
        side = resolver.side(clause.speaker)
        detection = cm.detect(body, written=kind != "call_transcript", notes=kind == "meeting_notes")
        before = [c for c in clauses[:index] if c.turn == clause.turn - 1]
        after = [c for c in clauses[index + 1 :] if c.turn == clause.turn + 1]
        same_turn = " ".join(c.text for c in clauses[max(0, index - 3) : index] if c.turn == clause.turn)
        position = clause.start / size
        rows.append([
            side == "firm", side == "client", clause.quoted, body.rstrip().endswith("?"),
            kind == "call_transcript", kind == "email", kind == "meeting_notes", position, position > 0.85,
            position < 0.1, math.log1p(len(body.split())), bool(_FIGURE.search(body)),
            bool(dn.DONE.search(body) or dn.PLACED.search(body) or dn.state_done(body)),
            bool(_PAST_DONE.search(body)), bool(_AGREE.search(body)), bool(_CHANGE.search(body)),
            bool(_WANT.search(body)), detection is not None and detection.kind != "request",
            detection is not None and detection.kind == "request",
            bool(before) and before[-1].text.rstrip().endswith("?") and before[-1].speaker != clause.speaker,
            bool(after) and bool(_YES.match(after[0].text.strip())) and after[0].speaker != clause.speaker,
            bool(_SMALL_TALK.search(body)), bool(_RECAP.search(body) or _RECAP.search(same_turn)),
            bool(_NEGATION.search(body)), clause.turn == first_turn,
        ])
        row = rows[-1]
        question, firm, client = row[3], side == "firm", side == "client"
        line = text[text.rfind("\n", 0, clause.start) + 1 : clause.start]
        asked_before = any(resolver.side(c.speaker) == "client" and (c.text.rstrip().endswith("?")
                                                                      or _WANT.search(c.text)) for c in before)
        row += [
            bool(_TO_BE.search(body)), bool(_YOU_ASKED.search(body)), bool(_NOW.search(body)), bool(_DAY.search(body)),
            bool(_AMOUNT.search(body)), bool(_CONDITIONAL.search(body)), bool(_WH.search(body)),
            bool(_BULLET.match(line)) and not line[_BULLET.match(line).end():].strip(),  # type: ignore[union-attr]
            client and question, client and bool(_WANT.search(body)), client and bool(_AGREE.search(body)),
            firm and bool(row[12] or row[13]), firm and bool(_AGREE.search(body)), firm and bool(_CHANGE.search(body)),
            firm and asked_before, len(body.split()) < 7,
        ]
    return np.asarray(rows, dtype=np.float32).reshape(len(clauses), len(FEATURES))


def design(clauses: list[Clause], resolver: OwnerResolver, kind: str, text: str) -> np.ndarray:
    """The classifier's input: one row of `FEATURES` per clause (`lexical_features`)."""
    return lexical_features(clauses, resolver, kind, text)


def probabilities(x: np.ndarray, weights: Weights) -> np.ndarray:
    """P(the clause states the field) for each row of a design matrix."""
    z = x @ weights.coef + weights.intercept
    p: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return p


def ranked(x: np.ndarray, weights: Weights, mask: Sequence[bool]) -> list[int]:
    """The candidate rows at or above the field's cut, most probable first."""
    p = probabilities(x, weights)
    return sorted((i for i in range(len(p)) if mask[i] and p[i] >= weights.threshold), key=lambda i: -p[i])


_STOP = frozenset("the and for with that this from into have has been will would could should about their there "
                  "they them then than what when which client firm call during meeting".split())


def content(text: str) -> set[str]:
    """A phrase's content words (four letters or more, common words left out), for telling near-copies apart."""
    return {w for w in re.findall(r"[a-z0-9£$€%.]{4,}|\d+", text.lower()) if w not in _STOP}


def near_copy(phrase: str, listed: Sequence[str], overlap: float = 0.6) -> bool:
    """True when `phrase` shares `overlap` of the smaller one's content words with a listed phrase.

    The rules' "Claim opened during the call" and the clause "I've opened the claim now" say one thing.
    """
    words = content(phrase)
    for other in listed:
        theirs = content(other)
        if words and theirs and len(words & theirs) / min(len(words), len(theirs)) >= overlap:
            return True
    return False


_CUT_OFF = re.compile(r"\b(?:a|an|the|to|by|for|and|or|of|with|at|on|in|from|that|this|his|her|their|its|be|is|are|as"
                      r"|if|but|so|about|up|your|my|our|any|some|could|would|should|can|will|might|must)\W*$",
                      re.IGNORECASE)


def _phrase(text: str) -> bool:
    """A wording that reads as a phrase: not cut off mid-clause ("...give them the") by the length cap."""
    return bool(text.strip()) and not _CUT_OFF.search(text)


def merge(existing: list[str], chosen: Sequence[str], *, limit: int, picks: int) -> list[str]:
    """The rules' phrases, then up to `picks` chosen phrases that are no near-copy of one already listed."""
    out = list(existing[:limit])
    added = 0
    for phrase in chosen:
        if added >= picks or len(out) >= limit:
            break
        if phrase and _phrase(phrase) and not near_copy(phrase, out):
            out.append(phrase)
            added += 1
    return out


_WANTS = re.compile(r"\b(?:wants?|would like|'d like|asked (?:for|if|whether|about)|queried|requested)\b",
                    re.IGNORECASE)
_CONCERN = re.compile(r"\b(?:unhappy|not happy|worried|concerned|upset|frustrat\w+|disappointed|complain\w*)\b",
                      re.IGNORECASE)
_BEFORE = re.compile(r"\b(?:last (?:week|month|year|time)|yesterday|ago|previously|used to)\b", re.IGNORECASE)


def masks(clauses: list[Clause], actions: Sequence[tuple[int, int]], resolver: OwnerResolver, kind: str,
          lists: dict[str, list[str]] | None = None, tasks: Sequence[str] = ()) -> dict[str, list[bool]]:
    """Which clauses each field may pick.

    Never a clause of a sentence the rules already worded for that field (its other half,
    "So the first thing I've done", adds nothing), nor one over 30 words (no phrase). An ask
    is the client's own words, or the firm's report of them ("you asked whether...") or a
    note's line. A decision is no question, no "if" and no want (that is an ask), not a clause an action came from
    (work still to do) nor one telling what happened before ("cancelled it himself last
    week"), nor one restating an action's task (`tasks`, "To recap: I'll send the illustration
    by Friday") or voicing a concern: a decision is made in the interaction.
    """
    base = [candidate(c) and len(clause_text(c).split()) <= 30 for c in clauses]
    out = {}
    for name in FIELDS:
        listed = [*(lists or {}).get(name, []), *(tasks if name == "decisions" else ())]
        worded = {(c.turn, c.sentence) for c in clauses if listed and near_copy(clause_text(c), listed)}
        out[name] = [b and (c.turn, c.sentence) not in worded for b, c in zip(base, clauses, strict=True)]
    out["client_asks"] = [ok and (kind == "meeting_notes" or resolver.side(c.speaker) == "client"
                                  or bool(_YOU_ASKED.search(c.text)))
                          for ok, c in zip(out["client_asks"], clauses, strict=True)]
    out["decisions"] = [ok and not clause_text(c).endswith("?") and not _CONDITIONAL.search(clause_text(c))
                        and not _BEFORE.search(c.text) and not _WANTS.search(c.text) and not _CONCERN.search(c.text)
                        and not any(c.start < end and start < c.end for start, end in actions)
                        for ok, c in zip(out["decisions"], clauses, strict=True)]
    return out


def add_picks(lists: dict[str, list[str]], clauses: list[Clause], resolver: OwnerResolver, kind: str, text: str,
              word: Callable[[str, int], str | None], limits: dict[str, int],
              actions: Sequence[tuple[int, int]] = (), tasks: Sequence[str] = ()) -> dict[str, list[str]]:
    """Each field's list with the classifier's picks added (`merge`), each worded by `word(field, index)`.

    `actions` are the evidence spans of the draft's actions and `tasks` their descriptions
    (see `masks`). The lists come back
    unchanged when there is no weights file.
    """
    model = shipped_model()
    if model is None or not clauses:
        return lists
    x = design(clauses, resolver, kind, text)
    allowed = masks(clauses, actions, resolver, kind, lists, tasks)
    out = {}
    for name in FIELDS:
        mask = allowed[name]
        # Wording is the costly part: only as many picks as could be kept are worded.
        chosen = (word(name, i) for i in ranked(x, model.fields[name], mask)[: 3 * model.max_picks[name]])
        out[name] = merge(lists[name], [w for w in chosen if w], limit=limits[name], picks=model.max_picks[name])
    return out
