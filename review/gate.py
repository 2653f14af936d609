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
- Text addressed to an AI or a reviewer holds the draft for a checker too, whatever the
  flags (`review.holds`, hold reason `instruction_in_text`). It is looked for wherever
  text arrives: the source (body, headers, quoted history), its hidden content (HTML
  comments, hidden HTML, white or tiny Word text, from the loader's metadata), the file
  name and title, every participant's name, and the drafted fields. Holds accumulate
  along a lineage like flags, on `ReviewItem.holds_json`, with their spans.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from pipeline.loaders.hidden import decode_hidden
from records.ids import canonical_json
from records.tables import Draft, Job, Source
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


def instruction_holds(*, fields: dict[str, str], source_text: str | None = None,
                      hidden: list[dict[str, str]] | None = None, filename: str | None = None,
                      title: str | None = None, participants: list[str] | None = None) -> list[dict[str, Any]]:
    """Find text addressed to an AI or a reviewer in everything a draft came from; return holds as dicts.

    Args:
        fields: `draft_fields(...)` of the draft version.
        source_text: The upload's normalised text (None to skip it: later versions of a lineage).
        hidden: Hidden fragments of the upload (`pipeline.loaders.hidden.decode_hidden`).
        filename: The upload's file name.
        title: The upload's title (email subject, document title).
        participants: Every participant's name, as given with the upload or drafted.

    Returns:
        One dict per hold (`review.holds.Hold` fields), in the order above.
    """
    from review.policy import find_instructions

    holds = find_instructions(source_text, where="source") if source_text else []
    for i, fragment in enumerate(hidden or []):
        holds += find_instructions(fragment["text"], where="hidden", field=f"hidden[{i}]", carrier=fragment["kind"])
    if filename:
        holds += find_instructions(filename, where="filename", carrier="file name", separators="_-.+")
    if title and title != filename:
        holds += find_instructions(title, where="title", carrier="title")
    for i, name in enumerate(dict.fromkeys(participants or [])):
        holds += find_instructions(name, where="participant", field=f"participants[{i}]", carrier="participant name")
    for key, text in fields.items():
        holds += find_instructions(text, where="draft", field=key)
    return [h.model_dump() for h in holds]


def _participant_names(session: Session, draft: Draft, content: dict[str, Any]) -> list[str]:
    """Names given with the upload (the job's participants) and names the draft lists."""
    names: list[str] = []
    job = session.get(Job, draft.job_id) if draft.job_id else None
    if job is not None:
        payload = json.loads(job.payload_json or "{}")
        names += [str(p.get("name") or "") for p in payload.get("participants") or [] if isinstance(p, dict)]
    summary = content.get("summary") if isinstance(content, dict) else None
    if isinstance(summary, dict):
        names += [str(p.get("name") or "") for p in summary.get("participants") or [] if isinstance(p, dict)]
    return [n for n in names if n]


def hold_for_checker(item: ReviewItem, *, flags: list[dict[str, Any]], holds: list[dict[str, Any]]) -> None:
    """Add a version's holds to the item; flags or holds put it in front of a checker.

    Args:
        item: The review item (changed in place; the caller saves it).
        flags: The version's flags (they may ask for `admin`).
        holds: The version's holds, appended to `item.holds_json`.
    """
    if holds:
        item.holds_json = canonical_json(json.loads(item.holds_json or "[]") + holds)
    if not (flags or holds):
        return
    if not item.requires_checker:
        item.requires_checker, item.status = True, "in_review"
    role = required_role(flags)
    if item.required_role != "admin":
        item.required_role = role


def source_holds(source: Source | None, fields: dict[str, str], participants: list[str]) -> list[dict[str, Any]]:
    """`instruction_holds` over a stored source and a draft's fields."""
    if source is None:
        return instruction_holds(fields=fields, participants=participants)
    meta = json.loads(source.meta_json or "{}")
    return instruction_holds(fields=fields, source_text=source.text or "", hidden=decode_hidden(meta),
                             filename=source.filename, title=source.title, participants=participants)


def on_new_draft(session: Session, draft: Draft, *, parent_review: ReviewItem | None = None,
                 inherited_flags: list[str] | None = None) -> ReviewItem:
    """Flag a new lineage's first draft and open its review item (in the caller's transaction).

    Args:
        session: The session that wrote the draft.
        draft: The draft just written (version 1 of its lineage).
        parent_review: For a client message, the review item of the summary it came from;
            its holds carry over, like its flags.
        inherited_flags: Flags carried over from that summary; they hold the message too.

    Returns:
        The new review item: `in_review` when flagged or held, else `awaiting_author`.
    """
    source = session.get(Source, draft.source_id)
    content = json.loads(draft.content_json)
    fields = draft_fields(content, draft.kind)
    # A client message carries its summary's flags and holds, so only its own text is scanned.
    flags = policy_flags(source_text=(source.text if source else "") or "", fields=fields,
                         model_flags=content.get("model_flags") if isinstance(content, dict) else None,
                         include_source=parent_review is None)
    if parent_review is None:
        holds = source_holds(source, fields, _participant_names(session, draft, content))
    else:
        holds = json.loads(parent_review.holds_json or "[]") + instruction_holds(fields=fields)
    store_flags(session, draft, flags)
    names = sorted(set(flag_names(flags)) | set(inherited_flags or []))
    # Client messages always need an explicit approval; sensitive or held ones need a checker.
    item = ReviewItem(
        lineage_id=draft.lineage_id, kind=draft.kind, source_id=draft.source_id, client_id=draft.client_id,
        author=draft.author, status="awaiting_author", requires_checker=False, flags_json=canonical_json(names),
        current_draft_id=draft.id, parent_review_id=parent_review.id if parent_review else None,
    )
    hold_for_checker(item, flags=flags or ([{"flag": n} for n in names]), holds=holds)
    session.add(item)
    session.flush()
    append_event(session, event_type="flag", actor="policy", payload={
        "review_id": item.id, "lineage_id": draft.lineage_id, "draft_id": draft.id, "status": item.status,
        "requires_checker": item.requires_checker, "flags": flags, "inherited": sorted(inherited_flags or []),
        "holds": holds,
    })
    return item
