"""The rules drafting engine: deterministic, offline extraction of summaries and actions.

`draft_with_rules` is the entry point; the modules hold one concern each (turns, commitments,
owners, action types, purpose, summary) so each rule table can be read against the labelling
guide on its own.
"""

from pipeline.rules.engine import draft_with_rules, infer_participants

__all__ = ["draft_with_rules", "infer_participants"]
