"""The sensitivity policy: rules as data in `review/policy.yaml`, and the engine that runs them.

Design:

- **Rules are data.** `review/policy.yaml` holds, per flag, a description, a severity,
  the reviewer role that must decide, and a list of rules. Each rule has an id, a
  `why`, lexicon `terms` and/or regex `patterns`, and optional `exclusions`. The file
  is validated into Pydantic models with `extra="forbid"` and every regex is compiled
  at load time; a bad regex raises `PolicyError` naming the rule (`spec.py`).
- **Everything is word-bounded and case-insensitive.** A term ending in `*` is a stem
  (`complain*` matches "complaints"); spaces in a term also match hyphens and line
  breaks. Patterns are wrapped in word-boundary look-arounds.
- **Context, not keyword soup.** Before matching, the engine masks email header lines
  and addresses and the firm's boilerplate (`context.py`). A flag may declare negation
  cues ("no complaints at all"): a cue within `window` words before the match, with only
  `bridge` words in between, cancels that match. Quoted email history is *not*
  excluded: flags apply to every party and every part of the text.
- **Text addressed to an AI or a reviewer never lowers or hides a flag.** It is found
  separately (`instructions.py`, patterns in English, French, German and Spanish) and
  holds the draft for a checker with its own reason, `instruction_in_text`.
- **Hidden text cannot hide a flag.** Zero-width and other format characters, tag
  characters and variation selectors are removed and look-alikes folded before
  matching (`normalise.py`); spans are mapped back to the caller's offsets.
- **Only adds.** Context rules can only cancel a *match* inside that context; nothing
  in the text can switch a rule off elsewhere, and a model can only add flags
  (`merge_model_flags`).
"""

from review.policy.engine import apply_policy, apply_policy_to_draft, merge_model_flags
from review.policy.instructions import find_instructions
from review.policy.normalise import normalise, reveal
from review.policy.scoring import flags_for_record, score_flags
from review.policy.spec import (
    DEFAULT_POLICY_PATH,
    ContextSpec,
    FlagPolicy,
    InstructionRule,
    NegationSpec,
    Policy,
    RuleSpec,
    default_policy,
    load_policy,
    parse_policy,
    term_to_regex,
)

__all__ = [
    "DEFAULT_POLICY_PATH", "ContextSpec", "FlagPolicy", "InstructionRule", "NegationSpec", "Policy", "RuleSpec",
    "apply_policy", "apply_policy_to_draft", "default_policy", "find_instructions", "flags_for_record",
    "load_policy", "merge_model_flags", "normalise", "parse_policy", "reveal", "score_flags", "term_to_regex",
]
