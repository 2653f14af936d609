"""The editor form's values turned back into a draft: only what the reviewer changed changes."""

from __future__ import annotations

from clientloop.web.draft_form import content_from_state, form_state
from clientloop.web.versions import changes
from review.decisions import json_diff

CURRENT = {
    "summary": {"client": "Daniel Okafor", "purpose": "review", "sentiment": "neutral",
                "participants": [{"name": "Priya Shah", "role": "relationship_manager", "side": "firm"}],
                "key_facts": ["Rate ends in March "], "client_asks": [], "concerns": [], "preferences": [],
                "decisions": [], "sensitive_points": [], "before_next_interaction": []},
    "actions": [{"description": "Send the illustration ", "owner": "Priya Shah", "owner_side": "firm",
                 "type": "task", "close_condition": "Sent:\nthe illustration", "evidence": {"text": "I'll send it"},
                 "due": {"kind": "none", "phrase": "no date stated"}}],
    "no_actions_reason": None,
}


def _as_a_browser_posts(state: dict) -> dict:
    """A text box drops line breaks; every value comes back without its trailing spaces."""
    for row in state["rows"]:
        for key, value in row.items():
            row[key] = " ".join(value.split()) if key != "evidence" else value
    state["lists"] = {k: "\n".join(line.rstrip() for line in v.splitlines()) for k, v in state["lists"].items()}
    return state


def test_an_untouched_form_changes_nothing_even_where_spacing_was_lost() -> None:
    state = _as_a_browser_posts(form_state(CURRENT))
    assert json_diff(CURRENT, content_from_state(CURRENT, state)) == []


def test_only_the_changed_field_shows_in_the_diff_with_codes_in_words() -> None:
    state = _as_a_browser_posts(form_state(CURRENT))
    state["purpose"] = "service_issue"
    rows = changes(CURRENT, json_diff(CURRENT, content_from_state(CURRENT, state)))
    assert rows == [{"where": "Purpose", "op": "changed", "before": "review", "after": "service issue"}]
