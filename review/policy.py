"""The sensitivity policy: rules as data in `policy.yaml`, and the engine that runs them.

Design:

- **Rules are data.** `review/policy.yaml` holds, per flag, a description, a severity,
  the reviewer role that must decide, and a list of rules. Each rule has an id, a
  `why`, lexicon `terms` and/or regex `patterns`, and optional `exclusions`. The file
  is validated into Pydantic models with `extra="forbid"` and every regex is compiled
  at load time; a bad regex raises `PolicyError` naming the rule.
- **Everything is word-bounded and case-insensitive.** A term ending in `*` is a stem
  (`complain*` matches "complaints"); spaces in a term also match hyphens and line
  breaks. Patterns are wrapped in word-boundary look-arounds.
- **Context, not keyword soup.** Before matching, the engine marks regions that cannot
  raise a flag: email header lines and addresses, the firm's boilerplate (sentences
  such as "This email does not constitute investment advice", and whole disclaimer
  paragraphs), and sentences addressed to an AI (prompt injection creates no flag of its
  own). A flag may declare negation cues ("no complaints at all", "I'm not
  complaining"): a cue within `window` words before the match, with only `bridge`
  words in between, cancels that match. Quoted email history is *not* excluded: flags
  apply to every party and every part of the text.
- **Hidden text cannot hide a flag.** Zero-width and other format characters (Unicode
  category Cf, including the tag block U+E0000-U+E007F) and variation selectors are
  removed, compatibility forms are folded (NFKC, per character) and common Cyrillic
  and Greek look-alikes are mapped to Latin before matching. Spans are mapped back
  to the caller's offsets.
- **Only adds.** Context rules can only cancel a *match* of a term inside that
  context; nothing in the text can switch a rule off elsewhere, and a model can only
  add flags (`merge_model_flags`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from review.errors import PolicyError
from review.flags import (
    FLAG_NAMES,
    Flag,
    FlagName,
    FlagSet,
    ModelFlagProposal,
    ReviewerRole,
    Severity,
)

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.yaml")

_FLAGS = re.IGNORECASE
_WORD = re.compile(r"[\w']+")


def _compile(pattern: str, *, rule_id: str, bounded: bool = True) -> re.Pattern[str]:
    """Compile one policy regex, naming the rule when it is invalid."""
    source = rf"(?<!\w)(?:{pattern})(?!\w)" if bounded else pattern
    try:
        return re.compile(source, _FLAGS)
    except re.error as exc:
        raise PolicyError(f"invalid regular expression {pattern!r}: {exc}", rule_id=rule_id) from exc


def term_to_regex(term: str) -> str:
    """Turn a lexicon term into a regex: a trailing `*` makes a stem; spaces also match hyphens."""
    stem = term.endswith("*")
    words = term.rstrip("*").split()
    body = r"[\s\-]+".join(re.escape(w) for w in words)
    return body + (r"\w*" if stem else "")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NegationSpec(_Strict):
    """Words that cancel a match when they come just before it ("no complaints")."""

    cues: list[str] = Field(min_length=1)
    """Regexes matched against whole words (e.g. `no`, `not`, `.*n't`)."""
    window: int = Field(default=3, ge=1, le=8)
    """How many words before the match are looked at."""
    bridge: list[str] = []
    """Words allowed between the cue and the match ("no *real* complaints")."""

    _cue: re.Pattern[str] = PrivateAttr()

    def compile(self, owner: str) -> None:
        """Compile the cue regexes (called by the policy at load time)."""
        self._cue = _compile("|".join(f"(?:{c})" for c in self.cues), rule_id=owner, bounded=False)

    def negates(self, before: str) -> bool:
        """Return True when `before` (the clause up to the match) ends in a negation."""
        words = _WORD.findall(before)[-self.window :]
        bridge = {b.lower() for b in self.bridge}
        for word in reversed(words):
            if self._cue.fullmatch(word):
                return True
            if word.lower() not in bridge:
                return False
        return False


class RuleSpec(_Strict):
    """One rule: a lexicon and/or regexes that raise its flag."""

    id: str = Field(min_length=1, pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    """Unique id, `<flag>.<name>`; shown on every flag the rule raises."""
    why: str = Field(min_length=1)
    """What the rule catches and why, for reviewers and maintainers."""
    terms: list[str] = []
    """Lexicon terms; a trailing `*` makes a stem."""
    patterns: list[str] = []
    """Regular expressions (case-insensitive, word-bounded)."""
    exclusions: list[str] = []
    """Regexes for contexts in which a match of this rule does not count."""
    negatable: bool = True
    """Whether the flag's negation cues apply to this rule."""

    _regexes: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _exclusions: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _has_matchers(self) -> RuleSpec:
        if not self.terms and not self.patterns:
            raise ValueError(f"rule {self.id!r} needs at least one term or pattern")
        return self

    def compile(self) -> None:
        """Compile the rule's regexes (called by the policy at load time)."""
        self._regexes = [_compile(term_to_regex(t), rule_id=self.id) for t in self.terms]
        self._regexes += [_compile(p, rule_id=self.id) for p in self.patterns]
        self._exclusions = [_compile(p, rule_id=self.id) for p in self.exclusions]


class FlagPolicy(_Strict):
    """Everything the policy says about one flag."""

    description: str = Field(min_length=1)
    severity: Severity
    reviewer_role: ReviewerRole
    negation: NegationSpec | None = None
    exclusions: list[str] = []
    """Regexes for contexts in which no rule of this flag counts."""
    rules: list[RuleSpec] = Field(min_length=1)

    _exclusions: list[re.Pattern[str]] = PrivateAttr(default_factory=list)


class ContextSpec(_Strict):
    """Regions of text that raise no flag of their own."""

    ignore_lines: list[str] = []
    """Regexes for whole lines to skip (email header lines such as `From:`)."""
    ignore_spans: list[str] = []
    """Regexes for spans to skip (email addresses, URLs)."""
    boilerplate: list[str] = []
    """Regexes marking a sentence as the firm's boilerplate (disclaimers, footers)."""
    boilerplate_blocks: list[str] = []
    """Regexes marking a paragraph (up to the next blank line) as boilerplate."""
    injection: list[str] = []
    """Regexes marking a sentence as addressed to an AI (prompt injection)."""

    _lines: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _spans: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _boilerplate: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _blocks: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _injection: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    def compile(self) -> None:
        """Compile the context regexes (called by the policy at load time)."""
        self._lines = [_compile(p, rule_id="context.ignore_lines", bounded=False) for p in self.ignore_lines]
        self._spans = [_compile(p, rule_id="context.ignore_spans", bounded=False) for p in self.ignore_spans]
        self._boilerplate = [_compile(p, rule_id="context.boilerplate") for p in self.boilerplate]
        self._blocks = [_compile(p, rule_id="context.boilerplate_blocks") for p in self.boilerplate_blocks]
        self._injection = [_compile(p, rule_id="context.injection") for p in self.injection]


class Policy(_Strict):
    """The whole sensitivity policy."""

    version: str = Field(min_length=1)
    context: ContextSpec = ContextSpec()
    flags: dict[FlagName, FlagPolicy]

    @model_validator(mode="after")
    def _validate_and_compile(self) -> Policy:
        missing = [f for f in FLAG_NAMES if f not in self.flags]
        if missing:
            raise ValueError(f"policy has no entry for flag(s): {', '.join(missing)}")
        seen: set[str] = set()
        for name, fp in self.flags.items():
            for rule in fp.rules:
                if rule.id in seen:
                    raise ValueError(f"duplicate rule id {rule.id!r}")
                if not rule.id.startswith(f"{name}."):
                    raise ValueError(f"rule id {rule.id!r} must start with {name + '.'!r}")
                seen.add(rule.id)
        # Compile last, so structural errors are reported first. PolicyError is not a
        # ValueError, so pydantic lets it through with its rule id intact.
        self.context.compile()
        for name, fp in self.flags.items():
            if fp.negation is not None:
                fp.negation.compile(f"{name}.negation")
            fp._exclusions = [_compile(p, rule_id=f"{name}.exclusions") for p in fp.exclusions]
            for rule in fp.rules:
                rule.compile()
        return self

    def settings(self) -> dict[FlagName, tuple[Severity, ReviewerRole]]:
        """Severity and reviewer role per flag."""
        return {name: (fp.severity, fp.reviewer_role) for name, fp in self.flags.items()}


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file.

    Args:
        path: The YAML file; the packaged `review/policy.yaml` by default.

    Returns:
        The validated policy with every regex compiled.

    Raises:
        PolicyError: The file is missing, is not YAML, does not match the schema, or
            holds an invalid regex.
    """
    path = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy: {exc}", path=str(path)) from exc
    return parse_policy(data, path=str(path))


def parse_policy(data: Any, *, path: str | None = None) -> Policy:
    """Validate already-parsed policy data (a mapping, as from YAML).

    Raises:
        PolicyError: The data does not match the schema or holds an invalid regex.
    """
    try:
        return Policy.model_validate(data)
    except PolicyError as exc:
        raise PolicyError(str(exc), rule_id=exc.rule_id, path=path) from exc
    except ValidationError as exc:
        raise PolicyError(f"invalid policy: {exc}", path=path) from exc


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The packaged policy, loaded once."""
    return load_policy()


# --- text normalisation --------------------------------------------------------------

_LOOKALIKES = str.maketrans(
    {
        # Cyrillic and Greek letters that render like Latin ones.
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "А": "A", "В": "B", "Е": "E",
        "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
        "ο": "o", "α": "a", "ν": "v", "ι": "i", "Ο": "O", "Α": "A", "Β": "B", "Ε": "E",
        # Typographic quotes and dashes, so "can’t" and "can't" match alike.
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    }
)  # fmt: skip


def _hidden(ch: str) -> bool:
    cp = ord(ch)
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    return unicodedata.category(ch) == "Cf"  # zero-width, bidi controls, soft hyphen, tags


def normalise(text: str) -> tuple[str, list[int]]:
    """Remove hidden characters and fold look-alikes, keeping a map back to `text`.

    Returns:
        The normalised text and, for each of its characters, the index of the original
        character it came from (plus a final entry equal to `len(text)`).
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch)
            index.append(i)
            continue
        if _hidden(ch):
            continue
        folded = unicodedata.normalize("NFKC", ch.translate(_LOOKALIKES)).translate(_LOOKALIKES)
        for c in folded:
            if not _hidden(c):
                out.append(c)
                index.append(i)
    index.append(len(text))
    return "".join(out), index


# --- context -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n")
_PARAGRAPH = re.compile(r"\S.*?(?=\n[ \t>]*\n|\Z)", re.DOTALL)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Split into sentences (and lines): a cheap clause scope for context and negation."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


class _Context:
    """Masked regions of one normalised text, and its sentence boundaries."""

    def __init__(self, text: str, spec: ContextSpec) -> None:
        self.sentences = _sentences(text)
        self._starts = [s for s, _ in self.sentences]
        masked: list[tuple[int, int, str]] = []
        for line in re.finditer(r"[^\n]+", text):
            if any(p.match(line.group()) for p in spec._lines):
                masked.append((line.start(), line.end(), "header"))
        for p in spec._spans:
            masked += [(m.start(), m.end(), "address") for m in p.finditer(text)]
        for para in _PARAGRAPH.finditer(text):
            if any(p.match(para.group().lstrip("> \t")) for p in spec._blocks):
                masked.append((para.start(), para.end(), "boilerplate"))
        for s, e in self.sentences:
            sentence = text[s:e]
            if any(p.search(sentence) for p in spec._injection):
                masked.append((s, e, "injection"))
            elif any(p.search(sentence) for p in spec._boilerplate):
                masked.append((s, e, "boilerplate"))
        self.masked = masked

    def masked_reason(self, start: int, end: int) -> str | None:
        """Why the span is masked (it overlaps a masked region), or None."""
        for s, e, why in self.masked:
            if start < e and s < end:
                return why
        return None

    def sentence_start(self, pos: int) -> int:
        """Start of the sentence holding `pos`."""
        lo, hi = 0, len(self._starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._starts[mid] <= pos:
                lo = mid + 1
            else:
                hi = mid
        return self._starts[lo - 1] if lo else 0


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _find(
    text: str,
    policy: Policy,
    *,
    where: Literal["source", "draft"],
    field: str | None,
) -> list[Flag]:
    norm, index = normalise(text)
    ctx = _Context(norm, policy.context)
    flags: list[Flag] = []
    for name, fp in policy.flags.items():
        flag_excl = [(m.start(), m.end()) for p in fp._exclusions for m in p.finditer(norm)]
        for rule in fp.rules:
            rule_excl = flag_excl + [(m.start(), m.end()) for p in rule._exclusions for m in p.finditer(norm)]
            for regex in rule._regexes:
                for m in regex.finditer(norm):
                    s, e = m.start(), m.end()
                    if e <= s or _inside(rule_excl, s, e):
                        continue
                    why = ctx.masked_reason(s, e)
                    # A sentence addressed to an AI raises no low- or medium-severity flag of its
                    # own, but a high-severity term inside it still counts: an attacker must not be
                    # able to hide a payment instruction by wrapping it in "ignore your instructions".
                    if why and not (why == "injection" and fp.severity == "high"):
                        continue
                    if rule.negatable and fp.negation is not None:
                        if fp.negation.negates(norm[ctx.sentence_start(s) : s]):
                            continue
                    start, end = index[s], index[e - 1] + 1
                    flags.append(
                        Flag(
                            flag=name,
                            rule_id=rule.id,
                            severity=fp.severity,
                            reviewer_role=fp.reviewer_role,
                            start=start,
                            end=end,
                            text=text[start:end],
                            where=where,
                            field=field,
                        )
                    )
    # One flag per (rule, span): overlapping regexes of one rule add nothing.
    unique = {(f.rule_id, f.start, f.end): f for f in flags}
    return sorted(unique.values(), key=lambda f: (f.start, f.end, f.flag, f.rule_id))


def apply_policy(text: str, *, policy: Policy | None = None) -> list[Flag]:
    """Run the policy over a source text.

    Args:
        text: The interaction text (transcript, notes or email thread).
        policy: The policy to apply; the packaged one by default.

    Returns:
        Every match that counts, as flags with spans into `text`, ordered by position.
    """
    return _find(text, policy or default_policy(), where="source", field=None)


def apply_policy_to_draft(
    draft_texts: Mapping[str, str] | Sequence[str],
    *,
    policy: Policy | None = None,
) -> list[Flag]:
    """Run the policy over the text fields of a draft (summary, actions, client message).

    Args:
        draft_texts: Field name to text, or a list of texts (named by their index).
        policy: The policy to apply; the packaged one by default.

    Returns:
        Flags with `where="draft"`, `field` naming the text, and spans into that text.
    """
    items = draft_texts.items() if isinstance(draft_texts, Mapping) else enumerate(draft_texts)
    pol = policy or default_policy()
    flags: list[Flag] = []
    for key, text in items:
        flags += _find(text, pol, where="draft", field=str(key))
    return flags


def merge_model_flags(
    rule_flags: Iterable[Flag],
    proposed: Iterable[ModelFlagProposal],
    source_text: str,
    *,
    policy: Policy | None = None,
) -> list[Flag]:
    """Add model-proposed flags to the rule flags; nothing is ever removed.

    A proposal counts only when its evidence is an exact substring of `source_text`;
    its severity and reviewer role come from the policy. Use `FlagSet.merge_model`
    directly to also get the rejected proposals.

    Args:
        rule_flags: The flags the policy raised (source and draft).
        proposed: The model's proposals.
        source_text: The source interaction text.
        policy: The policy giving severities and roles; the packaged one by default.

    Returns:
        All rule flags, unchanged and in order, followed by the accepted model flags.
    """
    pol = policy or default_policy()
    merged = FlagSet(flags=tuple(rule_flags)).merge_model(proposed, source_text=source_text, settings=pol.settings())
    return list(merged.flags)


# --- evaluation interface ------------------------------------------------------------


def flags_for_record(record: Mapping[str, Any], *, policy: Policy | None = None) -> set[str]:
    """The flag names the policy raises on an evaluation record's `text`."""
    return {f.flag for f in apply_policy(record["text"], policy=policy)}


def score_flags(
    records: Iterable[Mapping[str, Any]],
    *,
    predict: Callable[[Mapping[str, Any]], set[str]] = flags_for_record,
) -> dict[str, Any]:
    """Micro precision and recall over (interaction, flag) pairs, with a per-flag breakdown.

    Args:
        records: Evaluation records with `text` and `gold.sensitivity`.
        predict: Returns the predicted flag names for one record.

    Returns:
        `{"precision", "recall", "f1", "tp", "fp", "fn", "per_flag": {flag: {...}},
        "errors": [{"id", "missed", "extra"}]}`.
    """

    def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": fn}

    counts: dict[str, list[int]] = {name: [0, 0, 0] for name in FLAG_NAMES}
    errors = []
    for record in records:
        gold = set(record["gold"]["sensitivity"])
        pred = set(predict(record))
        for name in gold | pred:
            c = counts.setdefault(name, [0, 0, 0])
            c[0 if name in gold and name in pred else 1 if name in pred else 2] += 1
        if gold != pred:
            errors.append({"id": record.get("id"), "missed": sorted(gold - pred), "extra": sorted(pred - gold)})
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    result = prf(tp, fp, fn)
    result["per_flag"] = {name: prf(*c) for name, c in counts.items()}
    result["errors"] = errors
    return result
