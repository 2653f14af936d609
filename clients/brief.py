"""The two-minute client brief: six sections, every line linked to where it came from.

Sections: relationship snapshot (8 to 12 fields that change the conversation), recent
activity, open items, account context, watch items, suggested next actions.

Design decisions:

- **Every line carries a `source`**: the kind of record (client, account, case, record,
  action, document, watch) and its id; for interactions also the source id, a character
  span and the quote at that span, so a reader can jump to the words. `resolve_link`
  checks a link the way a test (or an auditor) would; the brief never contains a line
  it cannot point at.
- **Nothing is invented.** A client with no interactions gets "no interactions on
  record", not a guess. Empty sections say they are empty.
- **Dates are judged against `as_of`.** A renewal date in the past is *lapsed*, never
  "within 90 days"; an action due before today is *overdue*.
- **Suggested next actions come from rules with the reason shown** (`_suggest`):
  overdue follow-ups, a renewal or review within 90 days (or passed), no contact beyond
  the client's cadence (30 days when unknown), an open complaint, missing documents, a
  case open past its SLA, and the urgent or advice-sensitive advisory alerts.
- **Plan and conversation never mix.** Each generated brief is stored as an immutable
  `Brief` snapshot with its generation time and the newest record it saw. What the call
  then covered becomes the next `InteractionRecord`. The next brief compares against
  both: "since the last brief" and "since the last interaction".
- **The narrative is optional and grounded.** With the LLM engine a short narrative is
  asked for over the numbered lines (`prompts/brief.v1.jinja`, lines through the
  escaping serializer); a sentence survives only if every id it cites is a line of this
  brief. A model failure leaves the brief without a narrative, never without its lines.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from clients.brief_book import ClientBook, gather_book
from clients.brief_lines import LineNumbers, quote_of
from clients.brief_models import (
    BriefLine,
    BriefNarrative,
    BriefSection,
    Changes,
    ClientBrief,
    LinkKind,
    NarrativeSentence,
    SourceLink,
)
from clients.brief_sections import (
    accounts_lines,
    changes,
    open_items_lines,
    recent_lines,
    snapshot_lines,
    watch_lines,
)
from clients.brief_suggest import suggest_lines
from clients.lookup import readable_client
from clients.models import Brief, Holding, OnboardingPhase, OutstandingDocument, ServiceCase, WatchItem
from records.ids import canonical_json, new_id, sha256_tag, utcnow
from records.tables import Client, Source, User
from review.models import InteractionRecord, RecordAction

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from pipeline.options import ModelLimits

__all__ = [
    "BriefLine", "BriefNarrative", "BriefSection", "Changes", "ClientBrief", "LinkKind", "NarrativeSentence",
    "SourceLink", "add_narrative", "compose", "generate_brief", "ground_narrative", "quote_of", "resolve_link",
]

PROMPT_NAME = "brief.v1"


def compose(b: ClientBook, as_of: date, *, brief_id: str, generated_by: str, generated_at: datetime) -> ClientBrief:
    """Build the brief's content from gathered records (no database access)."""
    L = LineNumbers()
    snapshot = snapshot_lines(b, as_of, L)
    recent = recent_lines(b, L)
    sections = [
        BriefSection(key="snapshot", title="Relationship snapshot", lines=snapshot),
        BriefSection(key="recent_activity", title="Recent activity", lines=recent,
                     empty=None if recent else "No interactions on record for this client."),
        BriefSection(key="open_items", title="Open items", lines=open_items_lines(b, as_of, L)),
        BriefSection(key="account_context", title="Account context", lines=accounts_lines(b, as_of, L)),
        BriefSection(key="watch_items", title="Watch items", lines=watch_lines(b, L)),
        BriefSection(key="next_actions", title="Suggested next actions", lines=suggest_lines(b, as_of, L)),
    ]
    for s in sections:
        if not s.lines and s.empty is None:
            s.empty = {"open_items": "Nothing open.", "account_context": "No products, accounts or policies on record.",
                       "watch_items": "No restrictions, watch items or alerts.",
                       "next_actions": "No rule suggests an action today."}.get(s.key, "Nothing on record.")
    since_brief, since_interaction = changes(b, L)
    return ClientBrief(
        brief_id=brief_id, client_id=b.client.id, client_name=b.client.name, as_of=as_of,
        generated_at=generated_at, generated_by=generated_by, sections=sections,
        since_last_brief=since_brief, since_last_interaction=since_interaction,
        previous_brief_id=b.previous.id if b.previous else None,
    )


# --- Narrative (LLM engine) -------------------------------------------------------------------


def ground_narrative(brief: ClientBrief, output: BriefNarrative) -> tuple[list[NarrativeSentence], int]:
    """Keep only sentences whose every citation is a line of this brief.

    Returns:
        The kept sentences (citations de-duplicated) and how many were dropped.
    """
    ids = {line.id for line in brief.lines()}
    kept, dropped = [], 0
    for s in output.sentences:
        cites = list(dict.fromkeys(c.strip() for c in s.cites))
        if s.text.strip() and cites and all(c in ids for c in cites):
            kept.append(NarrativeSentence(text=s.text.strip(), cites=cites))
        else:
            dropped += 1
    return kept, dropped


def add_narrative(brief: ClientBrief, model: BaseChatModel, settings: ModelLimits, *, wait: Any = None) -> None:
    """Ask the model for a short cited narrative and attach what survives grounding."""
    from pipeline.errors import ModelError
    from pipeline.llm import invoke_structured, prompt_messages
    from pipeline.prompt_files import load_prompt
    from pipeline.redaction import Redactor, redact_messages, restore_parsed

    prompt = load_prompt(PROMPT_NAME)
    lines = [{"id": line.id, "label": line.label or "", "text": line.text} for line in brief.lines()]
    rendered = prompt.render(client=brief.client_name, lines=lines)
    brief.engine, brief.prompt_version = "llm", prompt.version_hash
    # The lines are client data: redacted before they leave, the narrative restored after.
    redactor = Redactor([brief.client_name]) if settings.redact_model_input else None
    try:
        result = invoke_structured(model, redact_messages(prompt_messages(rendered), redactor), BriefNarrative,
                                   max_retries=settings.llm_max_retries, wait=wait)
    except ModelError as exc:
        brief.narrative_note = f"no narrative: the model failed ({type(exc).__name__})"
        return
    brief.narrative, brief.narrative_dropped = ground_narrative(brief, restore_parsed(result.parsed, redactor))
    if brief.narrative_dropped:
        brief.narrative_note = f"{brief.narrative_dropped} sentence(s) without a valid citation were dropped"


# --- Entry points -----------------------------------------------------------------------------


def generate_brief(*, session: Session, client_ref: str, as_of: date | None = None, user: User | None = None,
                   actor: str | None = None, model: BaseChatModel | None = None,
                   settings: ModelLimits | None = None, store: bool = True) -> ClientBrief:
    """Generate a client's brief and store it as an immutable snapshot.

    Args:
        session: The session; the caller commits.
        client_ref: Client id, external id or exact name.
        as_of: Today (default: the current UTC date).
        user: Who asks (RMs see only their own book).
        actor: Recorded as the generator (default: the user's name, or `system`).
        model: A chat model: when given (the LLM engine), a cited narrative is added.
        settings: Needed with `model` (retries).
        store: Store the snapshot (a `Brief` row).

    Raises:
        UnknownClient: no such client, or not visible to the user.
    """
    client = readable_client(session, client_ref, user)
    as_of = as_of or utcnow().date()
    book = gather_book(session, client, as_of)
    now = utcnow()
    brief = compose(book, as_of, brief_id=new_id(), generated_by=actor or (user.name if user else "system"),
                    generated_at=now)
    if model is not None and settings is not None:
        add_narrative(brief, model, settings)
    if store:
        content = brief.model_dump(mode="json")
        session.add(Brief(id=brief.brief_id, client_id=client.id, generated_at=now, generated_by=brief.generated_by,
                          as_of=as_of, last_record_id=book.recent[0].record.id if book.recent else None,
                          engine=brief.engine, prompt_version=brief.prompt_version,
                          content_json=canonical_json(content), content_hash=sha256_tag(canonical_json(content))))
        session.flush()
    return brief


_LINK_MODELS: dict[str, type[Any]] = {
    "client": Client, "account": Holding, "case": ServiceCase, "record": InteractionRecord,
    "action": RecordAction, "document": OutstandingDocument, "watch": WatchItem, "onboarding": OnboardingPhase,
}


def resolve_link(session: Session, link: SourceLink) -> str | None:
    """Check that a link points at a real record (and, with a span, at the quoted words).

    Returns:
        None when the link works, else what is wrong.
    """
    row = session.get(_LINK_MODELS[link.kind], link.id)
    if row is None:
        return f"no {link.kind} {link.id}"
    if link.span is not None:
        source = session.get(Source, link.source_id) if link.source_id else None
        if source is None or source.text is None:
            return f"no source text {link.source_id}"
        start, end = link.span
        if source.text[start:end] != link.quote:
            return f"span {link.span} of {link.source_id} is not the quote"
        if getattr(row, "source_id", link.source_id) != link.source_id:
            return f"{link.kind} {link.id} does not come from source {link.source_id}"
    return None
