"""The policy file's schema: `review/policy.yaml` validated into Pydantic models, regexes compiled.

Every model forbids unknown keys, and every regex is compiled at load time: a bad one
raises `PolicyError` naming the rule, so a broken policy never reaches the gate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from review.errors import PolicyError
from review.flags import FLAG_NAMES, FlagName, ReviewerRole, Severity

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "policy.yaml"

_FLAGS = re.IGNORECASE
_WORD = re.compile(r"[\w']+")


def compile_pattern(pattern: str, *, rule_id: str, bounded: bool = True) -> re.Pattern[str]:
    """Compile one policy regex (case-insensitive, word-bounded by default), naming the rule when invalid.

    Raises:
        PolicyError: The regex does not compile.
    """
    # A pattern whose last alternative ends in a space ("to (my|the|a) ") ends on a word
    # boundary already; without the look-behind it could never match before a word.
    source = rf"(?<!\w)(?:{pattern})(?:(?<=\s)|(?!\w))" if bounded else pattern
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
        self._cue = compile_pattern("|".join(f"(?:{c})" for c in self.cues), rule_id=owner, bounded=False)

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
    says: str | None = None
    """How a reviewer is told what the match means, completing "mentions ..." (e.g. "moving money")."""
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
        self._regexes = [compile_pattern(term_to_regex(t), rule_id=self.id) for t in self.terms]
        self._regexes += [compile_pattern(p, rule_id=self.id) for p in self.patterns]
        self._exclusions = [compile_pattern(p, rule_id=self.id) for p in self.exclusions]

    @property
    def regexes(self) -> list[re.Pattern[str]]:
        """The compiled terms and patterns."""
        return self._regexes

    @property
    def exclusion_regexes(self) -> list[re.Pattern[str]]:
        """The compiled exclusions."""
        return self._exclusions


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

    def compile(self, name: str) -> None:
        """Compile the flag's negation, exclusions and rules."""
        if self.negation is not None:
            self.negation.compile(f"{name}.negation")
        self._exclusions = [compile_pattern(p, rule_id=f"{name}.exclusions") for p in self.exclusions]
        for rule in self.rules:
            rule.compile()

    @property
    def exclusion_regexes(self) -> list[re.Pattern[str]]:
        """The compiled flag-wide exclusions."""
        return self._exclusions


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
    signoffs: list[str] = []
    """Regexes for a whole sign-off line ("Kind regards,"): it and the lines after it, up to the next
    blank line, are a signature (names, job titles and team names, not topics)."""

    _lines: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _spans: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _boilerplate: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _blocks: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _signoffs: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    def compile(self) -> None:
        """Compile the context regexes (called by the policy at load time)."""
        self._lines = [compile_pattern(p, rule_id="context.ignore_lines", bounded=False) for p in self.ignore_lines]
        self._spans = [compile_pattern(p, rule_id="context.ignore_spans", bounded=False) for p in self.ignore_spans]
        self._boilerplate = [compile_pattern(p, rule_id="context.boilerplate") for p in self.boilerplate]
        self._blocks = [compile_pattern(p, rule_id="context.boilerplate_blocks") for p in self.boilerplate_blocks]
        self._signoffs = [compile_pattern(p, rule_id="context.signoffs") for p in self.signoffs]


class InstructionRule(_Strict):
    """Wording that addresses an AI, an automated system or the reviewer, in one language."""

    id: str = Field(min_length=1, pattern=r"^instruction\.[a-z0-9_]+$")
    """Unique id, `instruction.<name>`; shown on every hold the rule raises."""
    why: str = Field(min_length=1)
    """What the rule catches, for reviewers and maintainers."""
    language: str = Field(min_length=2, max_length=2)
    """ISO 639-1 code of the language the patterns are written in."""
    patterns: list[str] = Field(min_length=1)
    """Regexes (case-insensitive, word-bounded), written without accents: text is folded before matching."""

    _regexes: list[re.Pattern[str]] = PrivateAttr(default_factory=list)

    def compile(self) -> None:
        """Compile the patterns (called by the policy at load time)."""
        self._regexes = [compile_pattern(p, rule_id=self.id) for p in self.patterns]

    @property
    def regexes(self) -> list[re.Pattern[str]]:
        """The compiled patterns."""
        return self._regexes


class Policy(_Strict):
    """The whole sensitivity policy."""

    version: str = Field(min_length=1)
    context: ContextSpec = ContextSpec()
    instructions: list[InstructionRule] = []
    """Text addressed to an AI or a reviewer: it holds the draft for a checker (never masks a flag)."""
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
        for instruction in self.instructions:
            if instruction.id in seen:
                raise ValueError(f"duplicate rule id {instruction.id!r}")
            seen.add(instruction.id)
        # Compile last, so structural errors are reported first. PolicyError is not a
        # ValueError, so pydantic lets it through with its rule id intact.
        self.context.compile()
        for instruction in self.instructions:
            instruction.compile()
        for name, fp in self.flags.items():
            fp.compile(name)
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
