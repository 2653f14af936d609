"""Answerability: does a retrieved passage answer the question, or only a neighbouring one?

Cosine similarity alone cannot tell: answerable and unanswerable questions overlap (medians
about 0.52 and 0.49 on the blind set), because a near miss ("the 1-year fixed rate savings
bond", when the knowledge base has only the Easy Saver) is *about* the same things as the
passage. What gives a near miss away is the thing it names: the question asks about a
product, an entity or a term the passages never mention. So the decision combines:

- `cosine`: the best passage's cosine to the question;
- `coverage`: the IDF-weighted share of the question's content words in the best-covered
  passage (`knowledge.abstention.evidence`);
- `named_asked`: a *named thing* of the sentences that ask (ending in "?", `asked_part`) is
  absent from every passage. A named thing is a run of content words ending in a product
  or object noun ("Premier current account", "student loan", "invoice finance facility",
  "safe deposit box", "tapered allowance"), a capitalised word inside the question
  ("Bitcoin", "Spain"), or a hyphenated compound ("buy-to-let"); a possessive modifier names an
  owner, not a product ("a friend's account" is an account). Absent means a word of it
  is in no passage, or a product phrase's noun never comes with its modifier ("personal" and
  "loan" in two places do not make a personal loan). A situational question tells a story
  first, whose names are incidental ("her husband died on Saturday"), so only the asking
  sentences count, and a capitalised word after "in", "to", "on"... is a place or a date;
- `attribute_missing`: the question asks for a property of a thing ("the interest rate on the
  Business Reserve Account", "Is there an early repayment charge on a business term loan?", "What
  late fee does the Classic card charge?", "the Bank's share price", "What time does the canteen
  open?"; `_ATTRIBUTE_FORMS`) and no passage
  sentence names that property together with the thing. The passages then describe the thing,
  or the property of another thing, but not what was asked;
- `missing_share`: the share of the question's content words found in no passage;
- `length`: the number of the question's content words (log).

A veto comes before the model: when the asking sentences name a product or a proper name with
a word found nowhere in the *whole* knowledge base (`unknown_names`, checked against the corpus
vocabulary the caller passes: "Harbour Platinum credit card", "pet insurance", "Bitcoin",
"buy-to-let mortgage"), the knowledge base cannot describe it, however close the retrieved
passages are, and the probability is 0. The passages alone cannot say that: a word missing
from five passages may be in the sixth. A bare hyphenated compound is a word, not a product
("double-check"), and a phrase ending in a limit ("reimbursement cap") asks for a figure of something else.

The features are combined by a logistic regression (`WEIGHTS`, `BIAS`) fitted on the blind set's
*train* split only by `evals/fit_answerability.py` (numpy, L2-regularised, features
standardised with `MEANS` / `SCALES`); the cut-off (`DEFAULT_CUTOFF`) was chosen on the dev
split; every figure is reported on the test split. Refit after changing a feature and ship the
refit when it helps dev without hurting elsewhere. The constants below are the fit made before the
veto. The script's refits since (vetoed questions left out, cut-off by `MAX_FALSE_SHARE`) were not
shipped: with the veto (cut-off 0.3) the same train, dev and demo decisions and fewer test
abstentions (11/24 against 13/24); after the cap and property-form features (cut-off 0.5) the same
dev decisions and more false abstentions (train 1/42 -> 3/42, demo 0/50 -> 1/50); after the figure-kind,
"counts as" and how-to-do-it forms, the same decisions at cut-off 0.4, and at the script's 0.5 the same dev
decisions, one more train abstention (21/25 -> 22/25) and one more demo false abstention (0/50 -> 1/50).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from knowledge.abstention import evidence, key_phrases
from knowledge.asked import GENERIC_MODIFIERS, WORD, asked_part, attribute_gap
from knowledge.bm25 import content_terms, tokenize
from knowledge.relevance import holds
from knowledge.schemas import Passage
from pipeline.text import STOPWORDS

FEATURES = ("cosine", "coverage", "named_asked", "missing_share", "length", "attribute_missing")
"""The features, in the order of `WEIGHTS`."""

MEANS = (0.5485, 0.5377, 0.2537, 0.2405, 2.2062, 0.0746)
SCALES = (0.1282, 0.2306, 0.4351, 0.181, 0.4196, 0.2628)
WEIGHTS = (0.9484, -0.3618, -1.0544, -0.1719, 0.5892, -1.0144)
BIAS = 0.7208
"""Logistic regression over the standardised features (see the module docstring)."""

DEFAULT_CUTOFF = 0.4
"""Answer when the estimated probability of answerability reaches this (chosen on dev)."""

PRODUCT_NOUNS = frozenset(
    """account accounts card cards loan loans mortgage mortgages isa isas saver savers bond bonds finance
    facility facilities fund funds allowance allowances pension pensions sipp insurance contract contracts
    box boxes overdraft overdrafts scheme schemes plan plans list bonus grant cap club trade trades
    certificate voucher app""".split()
)
"""Nouns that end the name of a product or object ("Junior Saver", "savings bond", "hardship fund")."""

FIGURE_HEADS = frozenset(tokenize("cap caps limit limits"))
"""Nouns ending a named thing that ask for a figure of it ("reimbursement cap"): the figure may be worded otherwise."""

PAIR_GAP = 1
"""Words allowed between a product noun and its modifier in a passage ("Classic credit card" is a Classic card)."""

PRODUCT_STEMS = frozenset(t for noun in PRODUCT_NOUNS for t in tokenize(noun))

PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "on", "at", "into"})
"""A capitalised word after one of these is a place or a date ("to Turkey", "on Saturday"), not a product."""

_BREAK = re.compile(r"[,;:?!.()]")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class Answerability:
    """The features of one question against its retrieved passages, and the decision."""

    cosine: float
    coverage: float
    name_missing: float
    """1 when a word of a named thing is in no passage."""
    pair_missing: float
    """1 when a product phrase's words are there but never together."""
    attribute_missing: float
    """1 when the question asks for a property of a thing and no sentence names both (`attribute_missing`)."""
    named_asked: float
    """1 when a named thing of the asking sentences (those ending in "?") is in no passage."""
    missing_share: float
    length: float
    missing_property: tuple[str, str] | None
    """`(property, thing)` when the question asks for a property no passage gives for that thing."""
    missing_names: tuple[str, ...]
    """The named things of the question that no passage mentions."""
    unknown_names: tuple[str, ...]
    """The named things of the asking sentences with a word in no document of the knowledge base (the veto)."""
    probability: float
    """Estimated probability that the passages answer the question."""

    def vector(self) -> list[float]:
        """The features in `FEATURES` order."""
        return [getattr(self, name) for name in FEATURES]


def _phrases(question: str) -> list[list[tuple[str, bool, bool]]]:
    """Runs of consecutive non-stopwords, broken at punctuation.

    Each word comes with whether it starts a sentence and whether it follows a place preposition.
    """
    runs: list[list[tuple[str, bool, bool]]] = []
    run: list[tuple[str, bool, bool]] = []
    last, previous = 0, ""
    for m in WORD.finditer(question):
        gap = question[last : m.start()]
        last = m.end()
        initial = not question[: m.start()].strip() or bool(re.search(r"[.?!]\s*$", question[: m.start()]))
        if _BREAK.search(gap) or m.group().lower() in STOPWORDS:
            if run:
                runs.append(run)
            run = []
        if m.group().lower() not in STOPWORDS:
            run.append((m.group(), initial, previous in PLACE_PREPOSITIONS))
        previous = m.group().lower()
    if run:
        runs.append(run)
    return runs


def named_things(question: str) -> list[str]:
    """What the question names: product phrases, capitalised words inside it, hyphenated compounds.

    Args:
        question: The question.

    Returns:
        The named things, as written (a product phrase with up to two modifiers), in question order.
    """
    names: list[str] = []
    for run in _phrases(question):
        for i, (word, initial, after) in enumerate(run):
            lower = word.lower()
            # A possessive names an owner, not a product: "a friend's account" is an account.
            before = [w for w, _, _ in run[max(0, i - 2) : i]]
            modifiers = [w for w in before if w.lower() not in GENERIC_MODIFIERS and not _POSSESSIVE.search(w)]
            if lower in PRODUCT_NOUNS and modifiers and not modifiers[-1][0].isdigit():
                names.append(" ".join([*modifiers, word]))
            elif word[:1].isupper() and not (initial or word.isupper() or lower in PRODUCT_NOUNS or after):
                names.append(word)
    names.extend(key_phrases(question))
    return list(dict.fromkeys(names))


def _absence(name: str, vocabulary: set[str], sequences: Sequence[list[str]]) -> str | None:
    """How a named thing is missing from the passages: `word`, `pair`, or None when it is there.

    `word`: a word of it is in no passage. `pair`: its words are there, but a product phrase's
    noun never comes with its modifier (at most `PAIR_GAP` words between): "personal" and "loan"
    in two places do not make a personal loan.
    """
    terms = tokenize(name)
    if len(terms) > 1 and terms[-1] in FIGURE_HEADS:
        # "reimbursement cap" asks for the figure of the reimbursement, however the passage words it.
        terms = terms[:-1]
    if any(not holds(vocabulary, t) for t in terms):
        return "word"
    if len(terms) < 2 or terms[-1] not in PRODUCT_STEMS:
        return None
    modifier, head = terms[-2:]
    for seq in sequences:
        # The modifier before the noun ("sole mortgage"), or right after it past stopwords ("mortgages in a sole
        # name": the sequences hold no stopwords).
        if any(
            seq[i] == head and (modifier in seq[max(0, i - 1 - PAIR_GAP) : i] or seq[i + 1 : i + 2] == [modifier])
            for i in range(len(seq))
        ):
            return None
    return "pair"


NOT_PRODUCT_HEADS = frozenset(tokenize("cap caps limit limits grant list allowance"))
"""Nouns ending a named thing that ask for a figure of something else ("reimbursement cap"), not a product."""


def unknown_names(question: str, vocabulary: Collection[str]) -> tuple[str, ...]:
    """The named things of the asking sentences with a word in no document of the knowledge base.

    Args:
        question: The question.
        vocabulary: Every term (`knowledge.bm25.tokenize`) of the knowledge base.

    Returns:
        The product phrases and capitalised names (`named_things` of `asked_part`) with a word,
        or a part of a hyphenated word, that `vocabulary` lacks; bare hyphenated compounds and
        phrases ending in `NOT_PRODUCT_HEADS` left out.
    """
    terms = vocabulary if isinstance(vocabulary, set | frozenset) else set(vocabulary)
    found = []
    for name in named_things(asked_part(question)):
        words = name.split()
        if len(words) == 1 and ("-" in name or not name[:1].isupper()):
            continue
        if len(words) > 1:
            if set(tokenize(words[-1])) & NOT_PRODUCT_HEADS:
                continue
        parts = [x for w in words for x in re.split(r"[-'’]", w) if x and x.lower() not in STOPWORDS]
        if any(not holds(terms, t) for x in parts if not x[0].isdigit() for t in tokenize(x)):
            found.append(name)
    return tuple(found)


def assess(question: str, passages: Sequence[Passage], *, vocabulary: Collection[str] | None = None) -> Answerability:
    """The answerability features of a question and its passages, and the model's probability.

    Args:
        question: The question.
        passages: Retrieved passages, best first.
        vocabulary: Every term of the knowledge base (`HybridRetriever.vocabulary`), for the
            veto on things it never mentions; None for no veto.

    Returns:
        The features, the named things no passage (or no document) mentions, and the probability
        (0 when the veto applies).
    """
    cosine, coverage = evidence(question, passages)
    sequences = [tokenize(f"{p.heading or ''} {p.text}") for p in passages]
    passage_terms = {t for seq in sequences for t in seq}
    terms = content_terms(question)
    missing = [t for t in terms if not holds(passage_terms, t)]
    absences = {n: _absence(n, passage_terms, sequences) for n in named_things(question)}
    gap = attribute_gap(question, passages)
    asked = set(named_things(asked_part(question)))
    unknown = unknown_names(question, vocabulary) if vocabulary is not None else ()
    names = tuple(dict.fromkeys([*(n for n, how in absences.items() if how), *unknown]))
    values = {
        "cosine": cosine,
        "coverage": coverage,
        "name_missing": 1.0 if "word" in absences.values() else 0.0,
        "pair_missing": 1.0 if "pair" in absences.values() else 0.0,
        "missing_share": len(missing) / len(terms) if terms else 1.0,
        "length": math.log(1 + len(terms)),
        "attribute_missing": 1.0 if gap else 0.0,
        "named_asked": 1.0 if any(how for n, how in absences.items() if n in asked) else 0.0,
    }
    z = BIAS + sum(w * (values[f] - m) / s for f, w, m, s in zip(FEATURES, WEIGHTS, MEANS, SCALES, strict=True))
    probability = 1.0 / (1.0 + math.exp(-z)) if passages and not unknown else 0.0
    return Answerability(
        **values, missing_names=names, unknown_names=unknown, missing_property=gap, probability=round(probability, 4)
    )
