"""Client recap messages, drafted by rules from an approved summary and held for approval.

A recap is a `Draft` of kind `client_message` with its own lineage and review item; it
is never sent by clientloop. Approval places it in the outbox (`OutboxMessage`, `sent`
false) for a person to send.

Design decisions:

- The message is rendered from the *approved* summary with a fixed template
  (`review/templates/recap.v1.jinja`) in a sandboxed Jinja environment with
  `StrictUndefined`; no model writes client-facing text here.
- Hidden characters (zero-width, Unicode tag characters, bidi controls) are stripped
  from everything placed in the message, so text smuggled into an upload cannot ride
  along to the client unseen.
- The recap inherits the summary's flags: a message about a flagged interaction needs
  a checker too, and the policy runs on the message text itself as well.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from pipeline.text import strip_hidden
from records.ids import canonical_json, new_id
from records.tables import Client, Draft
from review.audit import append_event
from review.models import ReviewItem

TEMPLATE = Path(__file__).resolve().parent / "templates" / "recap.v1.jinja"
_OCCASION = {"call_transcript": "your call with us", "meeting_notes": "meeting with us", "email": "your email"}


class ClientMessage(BaseModel):
    """A message to a client, as drafted and as approved."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=300, description="Subject line.")
    body: str = Field(min_length=1, max_length=20000, description="Plain-text body.")
    to: str | None = Field(default=None, description="The client the message is for.")


@lru_cache(maxsize=1)
def _template() -> Any:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    return env.from_string(TEMPLATE.read_text(encoding="utf-8"))


def render_recap(content: dict[str, Any], *, client: str, sender: str) -> ClientMessage:
    """Render the recap of an approved `InteractionDraft` (as JSON data).

    Args:
        content: The approved summary and actions.
        client: The client's name.
        sender: Who signs the message (the summary's author).

    Returns:
        The message, hidden characters removed.
    """
    summary = content.get("summary") or {}

    def _due(action: dict[str, Any]) -> str:
        due = action.get("due") or {}
        return "" if due.get("kind", "none") == "none" else strip_hidden(str(due.get("phrase") or ""))

    actions = [a for a in content.get("actions") or [] if a.get("status", "open") == "open"]
    rows = [{"description": strip_hidden(str(a.get("description") or "")), "due": _due(a),
             "side": a.get("owner_side")} for a in actions]
    when = _long_date(str(summary.get("occurred_at") or "")[:10])
    body = _template().render(
        client=strip_hidden(client), occasion=_OCCASION.get(str(summary.get("kind")), "speaking with us"),
        when=when, decisions=[strip_hidden(str(d)) for d in summary.get("decisions") or []],
        firm_actions=[r for r in rows if r["side"] == "firm"],
        client_actions=[r for r in rows if r["side"] == "client"],
        sender=strip_hidden(sender),
    )
    return ClientMessage(subject=f"Summary of our conversation on {when}".strip(), body=body, to=strip_hidden(client))


def _long_date(iso: str) -> str:
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%B %Y}"


def draft_recap(session: Session, item: ReviewItem, record_content: dict[str, Any]) -> ReviewItem:
    """Draft the recap for a released summary and open its review item (idempotent).

    Args:
        session: The releasing transaction's session.
        item: The summary's review item.
        record_content: The approved summary content.

    Returns:
        The recap's review item (the existing one when it was drafted before).
    """
    from review.gate import on_new_draft

    existing = session.exec(select(ReviewItem).where(ReviewItem.parent_review_id == item.id)).first()
    if existing is not None:
        return existing
    summary_draft = session.get(Draft, item.current_draft_id)
    assert summary_draft is not None
    client = session.get(Client, item.client_id) if item.client_id else None
    message = render_recap(record_content, client=client.name if client else "client",
                           sender=item.author or "Your relationship team")
    draft_id = new_id()
    draft = Draft(id=draft_id, lineage_id=draft_id, kind="client_message", source_id=item.source_id,
                  client_id=item.client_id, author=item.author, engine="template", prompt_version="recap.v1",
                  content_json=canonical_json(message.model_dump(mode="json")))
    session.add(draft)
    session.flush()
    append_event(session, event_type="draft", actor="engine:template", payload={
        "draft_id": draft_id, "lineage_id": draft_id, "kind": "client_message", "source_id": item.source_id,
        "from_review_id": item.id, "from_draft_id": summary_draft.id, "content": message.model_dump(mode="json"),
    })
    return on_new_draft(session, draft, parent_review=item, inherited_flags=json.loads(item.flags_json))
