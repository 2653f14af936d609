"""The gate: every new draft version meets the sensitivity policy and gets a review item.

`on_new_draft` runs in the transaction that wrote the draft (the worker calls it), so a
draft never exists without its flags and its review item: if the policy fails, the
draft is rolled back with it and the job is retried.

Design decisions:

- The policy runs twice: on the source (what the client actually said) and on the
  drafted text (summary lists and action descriptions). A flag in either holds the draft.
- Flags only accumulate along a lineage. A later version (an edit) can add flags, never
  remove one; `flags_for_lineage` is the union over every version. A model may add a
  flag with evidence (`review.policy.merge_model_flags`); nothing removes a rule's flag.
- Flagged drafts go to `in_review` with `requires_checker` (a `reviewer` who is not the
  author must approve). Unflagged ones wait for their author (`awaiting_author`), who
  confirms or edits; a reviewer may also decide them. Nothing is ever auto-approved.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from records.ids import canonical_json
from records.tables import Draft, Source
from review.audit import append_event
from review.models import FlagRecord, ReviewItem

CHECKER_ROLE = "reviewer"
"""The role a checker of a flagged draft needs (`admin` always qualifies too)."""

_SUMMARY_LISTS = ("key_facts", "client_asks", "concerns", "preferences", "decisions", "sensitive_points",
                  "before_next_interaction")


def draft_fields(content: dict[str, Any], kind: str = "interaction_summary") -> dict[str, str]:
    """The drafted text the policy reads, by field: summary lists and actions, or a message.

    Args:
        content: The draft content (an `InteractionDraft` or a client message as JSON).
        kind: `interaction_summary` or `client_message`.

    Returns:
        Field path (e.g. `summary.concerns[0]`, `actions[1].description`) to text.
    """
    if kind == "client_message":
        return {k: str(content.get(k) or "") for k in ("subject", "body") if content.get(k)}
    summary = content.get("summary") or {}
    fields: dict[str, str] = {}
    for name in _SUMMARY_LISTS:
        for i, value in enumerate(summary.get(name) or []):
            fields[f"summary.{name}[{i}]"] = str(value)
    for i, action in enumerate(content.get("actions") or []):
        for name in ("description", "close_condition"):
            if action.get(name):
                fields[f"actions[{i}].{name}"] = str(action[name])
    return fields


def draft_text(content: dict[str, Any], kind: str = "interaction_summary") -> str:
    """All drafted text fields joined by newlines (for display and for tests)."""
    return "\n".join(draft_fields(content, kind).values())


def policy_flags(*, source_text: str, fields: dict[str, str], model_flags: list[Any] | None = None,
                 include_source: bool = True) -> list[dict[str, Any]]:
    """Run the policy on the source and on the draft's fields; return the flags as plain dicts.

    Args:
        source_text: The upload's normalised text.
        fields: `draft_fields(...)` of the draft version.
        model_flags: Flags a model proposed (`ModelFlagProposal` data), with evidence; they
            can only add, and only when the evidence is an exact span of the source.
        include_source: Scan the source too. Later versions of a lineage skip it: the
            source never changes and its flags are already on the lineage.

    Returns:
        One dict per flag: flag, rule_id, severity, reviewer_role, reason, start, end,
        matched, where, field, origin.
    """
    from review.flags import ModelFlagProposal
    from review.policy import apply_policy, apply_policy_to_draft, merge_model_flags

    flags = (list(apply_policy(source_text)) if include_source else []) + list(apply_policy_to_draft(fields))
    proposals = []
    for raw in model_flags or []:
        try:
            proposals.append(ModelFlagProposal.model_validate(raw))
        except ValueError:
            continue  # a malformed proposal adds nothing (and could never remove anything)
    if proposals:
        flags = merge_model_flags(flags, proposals, source_text)
    return [_as_dict(f) for f in flags]


def _as_dict(flag: Any) -> dict[str, Any]:
    why = flag.reason or (f"rule {flag.rule_id} matched" if flag.origin == "rule" else "proposed by a model")
    return {
        "flag": flag.flag, "rule_id": flag.rule_id, "severity": flag.severity, "reviewer_role": flag.reviewer_role,
        "reason": why, "start": flag.start, "end": flag.end, "matched": flag.text, "where": flag.where,
        "field": flag.field, "origin": flag.origin,
    }


def required_role(flags: list[dict[str, Any]]) -> str:
    """The checker role a set of flags needs: `admin` if any flag asks for it, else `reviewer`."""
    return "admin" if any(f.get("reviewer_role") == "admin" for f in flags) else CHECKER_ROLE


def store_flags(session: Session, draft: Draft, flags: list[dict[str, Any]]) -> list[FlagRecord]:
    """Persist one draft version's flags."""
    keep = ("flag", "rule_id", "severity", "reason", "start", "end", "matched", "where", "origin")
    rows = [FlagRecord(lineage_id=draft.lineage_id, draft_id=draft.id, **{k: f[k] for k in keep}) for f in flags]
    session.add_all(rows)
    return rows


def flags_for_lineage(session: Session, lineage_id: str) -> list[FlagRecord]:
    """Every flag ever raised on a lineage, oldest first."""
    return list(session.exec(
        select(FlagRecord).where(FlagRecord.lineage_id == lineage_id).order_by(col(FlagRecord.created_at))
    ).all())


def flag_names(rows: list[FlagRecord] | list[dict[str, Any]]) -> list[str]:
    """The sorted distinct flag names."""
    return sorted({(r["flag"] if isinstance(r, dict) else r.flag) for r in rows})


def on_new_draft(session: Session, draft: Draft, *, parent_review: ReviewItem | None = None,
                 inherited_flags: list[str] | None = None) -> ReviewItem:
    """Flag a new lineage's first draft and open its review item (in the caller's transaction).

    Args:
        session: The session that wrote the draft.
        draft: The draft just written (version 1 of its lineage).
        parent_review: For a client message, the review item of the summary it came from.
        inherited_flags: Flags carried over from that summary; they hold the message too.

    Returns:
        The new review item: `in_review` when flagged, else `awaiting_author`.
    """
    source = session.get(Source, draft.source_id)
    content = json.loads(draft.content_json)
    # A client message carries its summary's flags (inherited), so only its own text is scanned.
    flags = policy_flags(source_text=(source.text if source else "") or "",
                         fields=draft_fields(content, draft.kind),
                         model_flags=content.get("model_flags") if isinstance(content, dict) else None,
                         include_source=parent_review is None)
    store_flags(session, draft, flags)
    names = sorted(set(flag_names(flags)) | set(inherited_flags or []))
    # Client messages always need an explicit approval; sensitive ones need a checker.
    flagged = bool(names)
    item = ReviewItem(
        lineage_id=draft.lineage_id, kind=draft.kind, source_id=draft.source_id, client_id=draft.client_id,
        author=draft.author, status="in_review" if flagged else "awaiting_author", requires_checker=flagged,
        required_role=required_role(flags) if flagged else None, flags_json=canonical_json(names),
        current_draft_id=draft.id, parent_review_id=parent_review.id if parent_review else None,
    )
    session.add(item)
    session.flush()
    append_event(session, event_type="flag", actor="policy", payload={
        "review_id": item.id, "lineage_id": draft.lineage_id, "draft_id": draft.id, "status": item.status,
        "requires_checker": item.requires_checker, "flags": flags, "inherited": sorted(inherited_flags or []),
    })
    return item
