"""The draft editor as a form: actions as rows, the summary's lists as lines, errors beside each field.

Design decisions:

- **The form only carries values; the rule stays in `review/`.** The form is turned back
  into the whole draft (the current content with the fields the form edits replaced) and
  goes through `review.workflow.decide_and_release` as an `Edit`, exactly like an API
  edit: schema, grounding and policy run there and nowhere else. What comes back as
  `InvalidDecision` is placed beside the field it names.
- **No scripting.** Adding a row is a submit button that brings the form back with one
  empty row more and every value kept; removing is a checkbox read when saving.
- **Input survives errors.** The posted rows and lines are what the form shows again, so
  an error never costs the reviewer their typing.
"""

from __future__ import annotations

import copy
import re
from typing import Any, get_args

from pipeline.schemas import ACTION_TYPES, PURPOSES, Role, Sentiment

ROLES: tuple[str, ...] = get_args(Role)
SENTIMENTS: tuple[str, ...] = get_args(Sentiment)
VOCAB = {"purposes": PURPOSES, "sentiments": SENTIMENTS, "roles": ROLES}
"""The choices the form offers for the summary's purpose, sentiment and each participant's role."""

SUMMARY_LISTS = (
    ("key_facts", "Key facts"),
    ("client_asks", "Client asks"),
    ("concerns", "Concerns"),
    ("preferences", "Preferences"),
    ("decisions", "Decisions"),
    ("sensitive_points", "Sensitive points"),
    ("before_next_interaction", "Before the next interaction"),
)
"""The summary's editable lists: one line per entry."""

ACTION_FIELDS = (
    "description",
    "owner",
    "owner_side",
    "type",
    "close_condition",
    "evidence",
    "due_kind",
    "due_date",
    "due_start",
    "due_end",
    "due_phrase",
    "from",
)
PERSON_FIELDS = ("name", "role", "side")
DUE_KINDS = (("date", "a date"), ("range", "a date range"), ("none", "no date"))
_TEAM = re.compile(r"\b((?:[A-Z][\w&-]*\s){0,3}[A-Z][\w&-]*)\s+[Tt]eam\b")


def _row(action: dict[str, Any], origin: int | None) -> dict[str, str]:
    due = action.get("due") or {}
    return {
        "description": action.get("description", ""),
        "owner": action.get("owner", ""),
        "owner_side": action.get("owner_side", "firm"),
        "type": action.get("type", "task"),
        "close_condition": action.get("close_condition", ""),
        "evidence": (action.get("evidence") or {}).get("text", ""),
        "due_kind": due.get("kind", "none"),
        "due_date": due.get("date") or "",
        "due_start": due.get("start") or "",
        "due_end": due.get("end") or "",
        "due_phrase": due.get("phrase", ""),
        "from": "" if origin is None else str(origin),
        "remove": "",
    }


def form_state(content: dict[str, Any], reason: str = "") -> dict[str, Any]:
    """The editor's values for a draft as stored (no errors yet)."""
    if "summary" not in content:
        return {
            "message": True,
            "subject": content.get("subject", ""),
            "body": content.get("body", ""),
            "reason": reason,
            "errors": {},
            "general": [],
        }
    summary = content.get("summary") or {}
    return {
        "message": False,
        "rows": [_row(a, i) for i, a in enumerate(content.get("actions") or [])],
        "people": [_person(p) for p in summary.get("participants") or []],
        "purpose": summary.get("purpose", ""),
        "sentiment": summary.get("sentiment", "neutral"),
        "lists": {key: "\n".join(summary.get(key) or []) for key, _ in SUMMARY_LISTS},
        "no_actions_reason": content.get("no_actions_reason") or "",
        "reason": reason,
        "errors": {},
        "general": [],
    }


def posted_state(form: Any) -> dict[str, Any]:
    """The editor's values as posted, kept exactly as typed."""
    if "subject" in form:
        return {
            "message": True,
            "subject": str(form.get("subject", "")),
            "body": str(form.get("body", "")),
            "reason": str(form.get("reason", "")),
            "errors": {},
            "general": [],
        }
    count = int(form.get("rows", "0")) if str(form.get("rows", "0")).isdigit() else 0
    rows = [
        {name: str(form.get(f"a{i}-{name}", "")) for name in (*ACTION_FIELDS, "remove")} for i in range(min(count, 200))
    ]
    people_count = int(form.get("people", "0")) if str(form.get("people", "0")).isdigit() else 0
    people = [
        {name: str(form.get(f"p{i}-{name}", "")) for name in (*PERSON_FIELDS, "remove")}
        for i in range(min(people_count, 100))
    ]
    return {
        "message": False,
        "rows": rows,
        "people": people,
        "purpose": str(form.get("purpose", "")),
        "sentiment": str(form.get("sentiment", "")),
        "lists": {key: str(form.get(key, "")) for key, _ in SUMMARY_LISTS},
        "no_actions_reason": str(form.get("no_actions_reason", "")),
        "reason": str(form.get("reason", "")),
        "errors": {},
        "general": [],
    }


def _person(person: dict[str, Any]) -> dict[str, str]:
    return {"name": person.get("name", ""), "role": person.get("role", "other"), "side": person.get("side", "client"),
            "remove": ""}


def add_row(state: dict[str, Any], what: str = "action") -> dict[str, Any]:
    """The same values with one empty action (or participant) row at the end."""
    if what == "person":
        state["people"].append(_person({}))
    else:
        state["rows"].append(_row({}, None))
    return state


def form_errors(state: dict[str, Any]) -> dict[str, str]:
    """What the form itself refuses before the draft is decided: a kept participant row without a name."""
    if state["message"]:
        return {}
    return {f"p{i}-name": "a participant needs a name; tick Remove to drop the row"
            for i, person in enumerate(state["people"]) if not person["remove"] and not person["name"].strip()}


def _due(row: dict[str, str]) -> dict[str, Any]:
    kind = row["due_kind"] if row["due_kind"] in {k for k, _ in DUE_KINDS} else "none"
    due: dict[str, Any] = {"kind": kind, "phrase": row["due_phrase"].strip()}
    if kind == "date":
        due["date"] = row["due_date"] or None
    elif kind == "range":
        due["start"], due["end"] = row["due_start"] or None, row["due_end"] or None
    if kind == "none" and not due["phrase"]:
        del due["phrase"]  # the schema's own default: "no date stated"
    return due


def _spaced(text: Any) -> str:
    return " ".join(str(text).split())


def _same(typed: str, stored: Any) -> str:
    """What was typed, or the stored text when they differ only in spacing.

    A text box drops line breaks and trailing spaces; that is no edit and must not show in the diff.
    """
    return stored if isinstance(stored, str) and _spaced(typed) == _spaced(stored) else typed.strip()


def _action(row: dict[str, str], originals: list[dict[str, Any]]) -> dict[str, Any]:
    origin = int(row["from"]) if row["from"].isdigit() and int(row["from"]) < len(originals) else None
    action = copy.deepcopy(originals[origin]) if origin is not None else {}
    evidence = action.get("evidence") or {}
    if evidence.get("text") != row["evidence"]:
        evidence = {"text": row["evidence"]}  # new words: grounding finds them in the source again
    action.update(
        {
            "description": _same(row["description"], action.get("description")),
            "owner": row["owner"],
            "owner_side": row["owner_side"],
            "type": row["type"],
            "close_condition": _same(row["close_condition"], action.get("close_condition")),
            "evidence": evidence,
            "due": _due(row),
        }
    )
    return action


def content_from_state(current: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """The whole draft to send as the `Edit`: the current content with the form's fields in place."""
    content = copy.deepcopy(current)
    if state["message"]:
        content.update({"subject": state["subject"], "body": state["body"]})
        return content
    summary = content.setdefault("summary", {})
    summary["purpose"], summary["sentiment"] = state["purpose"], state["sentiment"]
    summary["participants"] = [
        {"name": p["name"].strip(), "role": p["role"], "side": p["side"]} for p in state["people"] if not p["remove"]
    ]
    for key, _ in SUMMARY_LISTS:
        lines = [line.strip() for line in state["lists"][key].splitlines() if line.strip()]
        before = summary.get(key) or []
        summary[key] = before if [_spaced(b) for b in before] == [_spaced(v) for v in lines] else lines
    originals = current.get("actions") or []
    content["actions"] = [_action(row, originals) for row in state["rows"] if not row["remove"]]
    content["no_actions_reason"] = state["no_actions_reason"].strip() or None if not content["actions"] else None
    return content


def owner_choices(participants: list[Any], content: dict[str, Any], source_text: str) -> list[tuple[str, str]]:
    """Who an action may be given to: the participants, then the teams the draft or the source names."""
    choices = [(p.name, f"{p.name} ({p.side})") for p in participants]
    teams = [a.get("owner", "") for a in content.get("actions") or [] if a.get("owner", "").lower().endswith("team")]
    teams += [f"{m.group(1)} team" for m in _TEAM.finditer(source_text)]
    seen = {name for name, _ in choices}
    for team in teams:
        if team and team not in seen:
            seen.add(team)
            choices.append((team, f"{team} (firm)"))
    return choices


ACTION_TYPE_CHOICES = ACTION_TYPES
_LOC = re.compile(r"^(actions|summary)\.(\w+)(?:\.(\w+))?(?:\.(\w+))?: (.*)$")


def place_errors(state: dict[str, Any], message: str, problems: list[str]) -> dict[str, Any]:
    """Put an `InvalidDecision` beside the fields it names; what names no field is shown above the form."""
    kept = [i for i, row in enumerate(state.get("rows") or []) if not row["remove"]]
    errors: dict[str, str] = {}
    general: list[str] = []
    if "fails grounding" in message:
        for problem in problems:
            reason, _, value = problem.partition(": ")
            field = {"evidence_not_in_source": "evidence", "owner_unresolved": "owner"}.get(reason)
            rows = [i for i in kept if field and value and state["rows"][i][field][:200] == value]
            for i in rows:
                errors.setdefault(f"a{i}-{field}", _WHY[field or ""])
            if not rows:
                general.append(f"{reason.replace('_', ' ')}: {value}")
    else:
        detail = message.split(": ", 1)[1] if ": " in message else message
        for part in detail.split("; "):
            key = _field_key(part, kept, state.get("people") or [])
            if key is None:
                general.append(part)
            else:
                errors.setdefault(key, part.split(": ", 1)[-1])
    state["errors"], state["general"] = errors, general
    state["message_text"] = message
    return state


_WHY = {
    "evidence": "these words are not in the source; copy them exactly from it",
    "owner": "not a participant or a team the source names",
}


def _field_key(part: str, kept: list[int], people: list[dict[str, str]]) -> str | None:
    match = _LOC.match(part)
    if match is None:
        return None
    area, first, second, third = match.group(1, 2, 3, 4)
    if area == "summary":
        if first == "participants" and second is not None and second.isdigit():
            kept_people = [i for i, p in enumerate(people) if not p["remove"]]
            if int(second) < len(kept_people):
                return f"p{kept_people[int(second)]}-{third if third in PERSON_FIELDS else 'name'}"
            return None
        return first if first in {k for k, _ in SUMMARY_LISTS} | {"purpose", "sentiment"} else None
    if not first.isdigit() or int(first) >= len(kept):
        return None
    field = "due_kind" if second == "due" else second
    if second == "due" and third in {"date", "start", "end", "phrase"}:
        field = f"due_{third}"
    if second == "evidence":
        field = "evidence"
    return f"a{kept[int(first)]}-{field}"
