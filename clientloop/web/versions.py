"""Draft versions of a review item and the change each edit made, in words.

An edit's decision row stores its RFC 6902 JSON Patch (`review.decisions.json_diff`).
The page reads it back operation by operation, applying each to the version before so
that every "before" value is the one the reviewer saw at that step (paths of later
operations refer to the document after the earlier ones). Changes to the grounding
report are recomputed on every edit and are left out.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonpatch
import jsonpointer
from sqlmodel import Session, col, select

from records.tables import Draft
from review.models import Decision, ReviewItem

_FIELDS = {
    "description": "description",
    "owner": "owner",
    "owner_side": "owner side",
    "type": "type",
    "close_condition": "close condition",
    "evidence": "evidence",
    "due": "due",
    "status": "status",
    "key_facts": "key facts",
    "client_asks": "client asks",
    "concerns": "concerns",
    "preferences": "preferences",
    "decisions": "decisions",
    "sensitive_points": "sensitive points",
    "purpose": "purpose",
    "before_next_interaction": "before the next interaction",
    "sentiment": "sentiment",
    "subject": "subject",
    "body": "body",
    "no_actions_reason": "why there are no actions",
    "participants": "participants",
}
_CODED = {"purpose", "role", "type", "sentiment"}
"""Fields whose values are vocabulary codes, shown in the diff with spaces (`service_issue` → `service issue`)."""
_OPS = {"add": "added", "remove": "removed", "replace": "changed", "move": "moved", "copy": "copied"}


def where(path: str) -> str:
    """A JSON Pointer in words: `/actions/1/due/phrase` → `Action 2 · due · phrase`."""
    parts = [jsonpointer.unescape(p) for p in path.split("/")[1:]]
    words: list[str] = []
    for i, part in enumerate(parts):
        if part == "actions" and i == 0:
            words.append("Actions")
        elif part == "summary" and i == 0:
            continue
        elif part.isdigit() and i == 1 and parts[0] == "actions":
            words[-1] = f"Action {int(part) + 1}"
        elif part.isdigit() and i == 2 and parts[:2] == ["summary", "participants"]:
            words[-1] = f"Participant {int(part) + 1}"
        elif part.isdigit():
            words.append(f"line {int(part) + 1}")
        elif part == "-":
            words.append("new entry")
        else:
            words.append(_FIELDS.get(part, part.replace("_", " ")))
    text = " · ".join(words) or "the draft"
    return text[:1].upper() + text[1:]


def shown(value: Any) -> str:
    """A value as a reviewer reads it: text as is, an action by its description, a due by its date and phrase."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "name" in value and "side" in value:
        return f"{value['name']} ({str(value.get('role', 'other')).replace('_', ' ')}, {value['side']})"
    if isinstance(value, dict) and "description" in value:
        return f"{value['description']} (owner {value.get('owner', '?')})"
    if isinstance(value, dict) and "kind" in value and "phrase" in value:
        when = value.get("date") or (f"{value.get('start')} – {value.get('end')}" if value.get("start") else "none")
        return f"{when} “{value.get('phrase', '')}”"
    if isinstance(value, dict) and "text" in value:
        return str(value["text"])
    return json.dumps(value, ensure_ascii=False)


def _words(code: str) -> str:
    return code.replace("_", " ")


def changes(old: Any, diff: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The diff's operations as `{where, op, before, after}` rows, grounding left out."""
    doc = copy.deepcopy(old)
    rows = []
    for op in diff:
        before = None
        if op["op"] in ("replace", "remove", "move"):
            try:
                before = jsonpointer.resolve_pointer(doc, op["from"] if op["op"] == "move" else op["path"])
            except jsonpointer.JsonPointerException:
                before = None
        try:
            doc = jsonpatch.apply_patch(doc, [op])
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException):
            pass
        if op["path"].startswith("/grounding"):
            continue
        after = op.get("value") if op["op"] in ("add", "replace") else None
        if op["op"] in ("move", "copy"):
            after = f"from {where(op['from'])}"
        coded = op["path"].rsplit("/", 1)[-1] in _CODED
        rows.append(
            {
                "where": where(op["path"]),
                "op": _OPS.get(op["op"], op["op"]),
                "before": _words(shown(before)) if coded else shown(before),
                "after": _words(shown(after)) if coded else shown(after),
            }
        )
    return rows


def draft_versions(session: Session, item: ReviewItem) -> list[dict[str, Any]]:
    """Every draft version of the item, oldest first, each edit with its reason and its changes."""
    drafts = session.exec(select(Draft).where(Draft.lineage_id == item.lineage_id).order_by(col(Draft.version))).all()
    edits = {
        d.draft_id: d
        for d in session.exec(select(Decision).where(Decision.review_id == item.id, Decision.kind == "edit")).all()
    }
    by_id = {d.id: d for d in drafts}
    versions = []
    for draft in drafts:
        edit = edits.get(draft.id)
        parent = by_id.get(draft.parent_id) if draft.parent_id else None
        rows: list[dict[str, str]] = []
        if edit is not None and edit.diff_json and parent is not None:
            rows = changes(json.loads(parent.content_json), json.loads(edit.diff_json))
        versions.append(
            {
                "version": draft.version,
                "draft_id": draft.id,
                "author": draft.author,
                "engine": draft.engine,
                "created_at": draft.created_at,
                "reason": edit.reason if edit else None,
                "edited_by": edit.actor if edit else None,
                "changes": rows,
                "current": draft.id == item.current_draft_id,
            }
        )
    return versions
