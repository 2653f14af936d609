"""Client recap messages, drafted by rules from an approved summary and held for approval.

A recap is a `Draft` of kind `client_message` with its own lineage and review item; it
is never sent by clientloop. Approval places it in the outbox (`OutboxMessage`, `sent`
false) for a person to send.

Design decisions:

- The message is rendered from the *approved* summary with a fixed template
  (`review/templates/recap.v2.jinja`) in a sandboxed Jinja environment with
  `StrictUndefined`; no model writes client-facing text here.
- Hidden characters (zero-width, Unicode tag characters, bidi controls) are stripped
  from everything placed in the message, so text smuggled into an upload cannot ride
  along to the client unseen.
- The recap inherits the summary's flags: a message about a flagged interaction needs
  a checker too, and the policy runs on the message text itself as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from pipeline.rules.decisions import without_phrase
from pipeline.rules.done import COMPLETED
from pipeline.text import strip_hidden
from records.ids import canonical_json, new_id
from records.tables import Client, Draft, User
from review.audit import append_event
from review.models import ReviewItem

TEMPLATE = Path(__file__).resolve().parent / "templates" / "recap.v2.jinja"
TEMPLATE_VERSION = "recap.v2"
# A transcript is a call or a recorded meeting ("Thanks both for coming in"): "speaking with us" is true of both.
_OCCASION = {"call_transcript": "speaking with us", "meeting_notes": "meeting with us", "email": "your email"}
_OCCASION_GENTLE = {"call_transcript": "when we spoke", "meeting_notes": "when we met", "email": "by email"}
# What the firm does inside itself stays out of a letter to the client: approvals, cases,
# requests to other teams, and notes about the client (fraud referrals, vulnerability flags).
_INTERNAL_TYPES = frozenset({"internal_request", "approval", "case"})
_INTERNAL_WORDS = re.compile(
    r"\b(?:fraud|referral|refer (?:it|this|them)|vulnerab\w*|flag\w*|escalat\w*|note (?:on|to) (?:the )?file|internal|"
    r"sign-off|sign off|approval|underwrit\w*|credit committee|credit paper|diari[sz]e\w*|compliance|suspicious|"
    r"security team|passcode|support need\w*)\b",
    re.IGNORECASE,
)
_BEREAVEMENT = re.compile(r"\b(?:died|passed away|death|bereave\w*|funeral|widow\w*|late husband|late wife|"
                          r"probate|executor)\b", re.IGNORECASE)
# A person in hospital, not a business that supplies hospitals ("the contract to supply the three Moorside hospitals").
_VULNERABLE = re.compile(r"\b(?:redundan\w*|struggl\w*|diagnos\w*|cancer|illness|anxious|stress\w*|"
                         r"can't afford|cannot afford|carer|vulnerab\w*|dreading|arrears|hospitali[sz]ed"
                         r"|(?:in|into|out of|from) hospital|hospital (?:appointment|stay|treatment))\b", re.IGNORECASE)
# Bank details are never written back to a client: if the request came from a fraudster, a letter
# confirming them helps the fraud. A change of payee or bank details is not promised in writing either:
# it happens only after the call-back to a number on file, and the call-back line says so.
_BANK_DETAILS = re.compile(r"\bsort code\b|\b\d{2}-\d{2}-\d{2}\b|\baccount (?:number|no\b)|\bIBAN\b|\b\d{8}\b"
                           r"|\b(?:change|changing|update|updating|amend|amending)\b[^.;]{0,40}?"
                           r"\b(?:payee|bank|account) details\b", re.IGNORECASE)
_CALL_BACK = re.compile(r"^(?:call|ring|phone)\b", re.IGNORECASE)
# Agreed in words but nothing to put in writing: a pleasantry, or a pronoun with nothing to stand for.
_EMPTY_DECISION = re.compile(r"\b(?:catch up|keep in touch|be in touch|speak soon|talk soon)\b"
                             r"|^(?:agreed:\s*)?[a-z]+\s+(?:that|it|this|them)\b"
                             r"|^(?:it|that|this|they)(?:['’]ll|['’]s|\s+will|\s+is|\s+was|\s+would)?\s", re.IGNORECASE)
# What a letter may tell the client was agreed: work done during the interaction ("Interest stopped
# during the call", "we have booked you a call"), a point agreed in so many words, a date moved, a
# term kept as it is. A statement of fact or a sentence from the conversation is not an agreement,
# and a letter puts nothing in writing that no one agreed.
_AGREED_FORM = re.compile(rf"\b(?:during|in|on)\s+(?:the\s+)?(?:call|meeting|mtg)\b|^agreed\b|\bmoved from\b"
                          rf"|\b(?:stays?|remains?|unchanged|kept as it is)\b"
                          rf"|\b(?:has|have)\s+(?:\w+\s+)?(?:{COMPLETED})\b|\b(?:{COMPLETED})$", re.IGNORECASE)
# ...and what will happen later is work, not an agreement: "You will get a text when it's credited".
_LATER = re.compile(r"\b(?:will|shall|when|once|if)\b|['’]ll\b", re.IGNORECASE)
_MOVED_TO = re.compile(r"\bmoved from .+? to (?P<day>\w+day \d{1,2} \w+)$")
# Meeting-note shorthand, written out for the client.
_SHORTHAND = (
    (re.compile(r"\bw/\s*"), "with "), (re.compile(r"\bre\b(?=\s)"), "about"), (re.compile(r"\ba/c\b"), "account"),
    (re.compile(r"\bapprox\.?(?=\s)"), "approximately"), (re.compile(r"(\d)\s?/m\b"), r"\1 a month"),
    (re.compile(r"\bIHT\b"), "inheritance tax"), (re.compile(r"\bOps\b"), "our operations team"),
    (re.compile(r"\bJan\b"), "January"), (re.compile(r"\bFeb\b"), "February"), (re.compile(r"\bSept?\b"), "September"),
    (re.compile(r"\bOct\b"), "October"), (re.compile(r"\bNov\b"), "November"), (re.compile(r"\bDec\b"), "December"),
)
# "Speak to her accountant", the client's own adviser: in a letter to the client it is "your accountant".
_THEIR_ADVISER = re.compile(r"\b(?:his|her|their)\s+(?=(?:own\s+)?(?:accountant|solicitor|financial adviser|adviser"
                            r"|advisor|broker|employer|GP|doctor)s?\b)")


class ClientMessage(BaseModel):
    """A message to a client, as drafted and as approved."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=300, description="Subject line.")
    body: str = Field(min_length=1, max_length=20000, description="Plain-text body.")
    to: str | None = Field(default=None, description="The client the message is for.")


@dataclass(frozen=True)
class Sender:
    """Who signs a letter: their full name and title, and how the client reaches them."""

    name: str
    title: str | None = None


@lru_cache(maxsize=1)
def _template() -> Any:
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    return env.from_string(TEMPLATE.read_text(encoding="utf-8"))


def render_recap(content: dict[str, Any], *, client: str, sender: Sender | str) -> ClientMessage:
    """Render the recap letter of an approved `InteractionDraft` (as JSON data).

    The letter is addressed to the client by name, says what the firm will do (dates written
    out: "by Friday 5 December") and what it needs from the client, names who to contact, and
    is signed with the sender's full name and title. Internal work (approvals, cases, requests
    to other teams, notes such as fraud referrals) never appears. A bereavement opens with
    condolences; other signs of vulnerability make the wording gentler.

    Args:
        content: The approved summary and actions.
        client: The client's name.
        sender: Who signs the message (the summary's author), with their title.

    Returns:
        The message, hidden characters removed.
    """
    signer = sender if isinstance(sender, Sender) else Sender(sender)
    summary = content.get("summary") or {}
    client = strip_hidden(client)
    kind = str(summary.get("kind"))
    tone = _tone(summary)
    reader = _Reader.of(client, summary, strip_hidden(signer.name))
    actions = [a for a in content.get("actions") or [] if a.get("status", "open") == "open"]
    written = [a for a in actions if not _internal(a) and not _unconfirmed_bank_change(a)]
    lines = {side: [_line(a, reader) for a in written if a.get("owner_side") == side] for side in ("firm", "client")}
    # A decision that is an action's own wording ("Ask credit to consider a reduced fee") is that
    # action: listed once as the work (or not at all, when internal), never again as agreed.
    described = {str(a.get("description") or "").casefold() for a in content.get("actions") or []}
    dated = " ".join(lines["firm"] + lines["client"])
    when = _long_date(str(summary.get("occurred_at") or "")[:10])
    occasions = _OCCASION_GENTLE if tone != "plain" else _OCCASION
    occasion = occasions.get(kind, "speaking with us")
    if kind == "meeting_notes" and summary.get("channel") in ("phone", "video call"):
        occasion = occasions["call_transcript"]
    body = _template().render(
        client=reader.addressee, tone=tone, when=when, occasion=occasion,
        decisions=[reader.written(strip_hidden(str(d))) for d in summary.get("decisions") or []
                   if _worth_writing(str(d), described, dated)
                   and not _listed(reader.written(strip_hidden(str(d))), lines["firm"] + lines["client"])],
        firm_actions=lines["firm"], client_actions=lines["client"],
        contact=f"me, {strip_hidden(signer.name)}", sender=strip_hidden(signer.name),
        title=strip_hidden(signer.title or ""),
    )
    return ClientMessage(subject=f"Summary of our conversation on {when}".strip(), body=body, to=client)


@dataclass(frozen=True)
class _Reader:
    """Who the letter is to, and who "you" and "me" are in it."""

    addressee: str
    """The salutation's name: the client, or the people who spoke for a business client."""
    you: tuple[str, ...]
    """Names written as "you": the client and every client-side participant."""
    owners_named: bool
    """Several people speak for the client: each of their lines names who it is for."""
    me: str
    """The signer, written as "me"."""

    @classmethod
    def of(cls, client: str, summary: dict[str, Any], signer: str) -> _Reader:
        people = [strip_hidden(str(p.get("name") or "")) for p in summary.get("participants") or []
                  if p.get("side") == "client" and p.get("name")]
        # A business is not a person to write to: "Dear Anjali Patel and Rob Keane", not "Dear Patel Fresh Foods Ltd".
        speakers = people if people and client not in people else []
        addressee = " and ".join([", ".join(speakers[:-1]), speakers[-1]] if len(speakers) > 1 else speakers) or client
        return cls(addressee, (client, *people), len(speakers) > 1, signer)

    def written(self, text: str, owner: str | None = None) -> str:
        """The draft's third person as this reader reads it, note shorthand written out."""
        text = _to_client(_plain(text), self.you, self.me)
        if self.owners_named and owner and owner in self.you:
            return f"{owner} to {text[:1].lower() + text[1:]}"
        return text


def _tone(summary: dict[str, Any]) -> str:
    said = " ".join(str(v) for key in ("concerns", "key_facts", "sensitive_points", "client_asks", "decisions")
                    for v in summary.get(key) or [])
    if _BEREAVEMENT.search(said):
        return "bereavement"
    return "gentle" if _VULNERABLE.search(said) else "plain"


def _internal(action: dict[str, Any]) -> bool:
    description = str(action.get("description") or "")
    owner = str(action.get("owner") or "")
    return (action.get("type") in _INTERNAL_TYPES or owner.lower().endswith(" team")
            or bool(_INTERNAL_WORDS.search(description)))


def _unconfirmed_bank_change(action: dict[str, Any]) -> bool:
    description = str(action.get("description") or "")
    return bool(_BANK_DETAILS.search(description)) and not _CALL_BACK.match(description)


def _worth_writing(decision: str, described: set[str], dated: str) -> bool:
    """Whether an agreed point belongs in the letter: agreed or done, not internal, not an action, not said already."""
    moved = _MOVED_TO.search(decision)
    later = _LATER.search(decision) and not re.match(r"(?i)agreed\b", decision) and not moved
    return bool(_AGREED_FORM.search(decision)) and not (
        later or _INTERNAL_WORDS.search(decision) or decision.casefold() in described
        or _EMPTY_DECISION.search(decision) or (moved and moved["day"] in dated))


def _listed(decision: str, lines: list[str]) -> bool:
    """A decision the letter already gives as work ("Send you the transfer form", due or not)."""
    said = decision.casefold().rstrip(". ")
    return any(line.casefold().startswith(said) for line in lines)


def _plain(text: str) -> str:
    for pattern, words in _SHORTHAND:
        text = pattern.sub(words, text)
    return text


def _line(action: dict[str, Any], reader: _Reader) -> str:
    """One action as the client reads it: second person, its date written out once."""
    text = strip_hidden(str(action.get("description") or ""))
    due = action.get("due") or {}
    phrase = strip_hidden(str(due.get("phrase") or ""))
    when = _due_words(due)
    if when:
        # "Post the leaflet today" due today: the date replaces the phrase, never both, however
        # short what is left ("Call back tomorrow" is "Call back by Tuesday 17 November").
        text = without_phrase(text, phrase, min_words=1)
    if action.get("owner_side") == "client":
        text = _THEIR_ADVISER.sub("your ", text)
    return reader.written(text + (f" {when}" if when else ""), owner=str(action.get("owner") or ""))


def _due_words(due: dict[str, Any]) -> str:
    try:
        if due.get("kind") == "date" and due.get("date"):
            day = date.fromisoformat(str(due["date"]))
            return f"by {day:%A} {day.day} {day:%B}"
        if due.get("kind") == "range" and due.get("start") and due.get("end"):
            first, last = date.fromisoformat(str(due["start"])), date.fromisoformat(str(due["end"]))
            return f"between {first.day} {first:%B} and {last.day} {last:%B}"
    except ValueError:
        return ""
    return ""


def _to_client(text: str, you: tuple[str, ...], me: str = "") -> str:
    """The draft's third person as the client reads it: their names and "the client" become "you".

    The signer's own name becomes "me" ("Send Priya Shah your payslips" in a letter Priya signs).
    """
    firsts = {name.split()[0] for name in you if name}
    names = [(name, "you", "your") for full in you if full for name in (full, full.split()[0])]
    if me:
        names += [(me, "me", "my")] + ([(me.split()[0], "me", "my")] if me.split()[0] not in firsts else [])
    for name, pronoun, possessive in sorted(names, key=lambda n: -len(n[0])):
        text = re.sub(rf"\b{re.escape(name)}[’']s\b", possessive, text)
        text = re.sub(rf"\b{re.escape(name)}\b", pronoun, text)
    text = re.sub(r"\b(?:the )?client[’']s\b", "your", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthe client\b", "you", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthe firm[’']s\b", "our", text, flags=re.IGNORECASE)
    text = re.sub(r"\bthe firm (has|is|was|will|can|would)\b",
                  lambda m: "we " + {"has": "have", "is": "are", "was": "were"}.get(m[1], m[1]), text,
                  flags=re.IGNORECASE)
    text = re.sub(r"\bthe firm\b", "us", text, flags=re.IGNORECASE)
    # The name took a third-person verb: "once Kwame has heard back" is "once you have heard back".
    text = re.sub(r"\byou (has|is|was|does|hasn[’']t|isn[’']t|wasn[’']t|doesn[’']t)\b",
                  lambda m: "you " + _SECOND_PERSON[m[1].replace("’", "'")], text)
    # ...and the signer as a subject is "I": "once Priya Shah has the payslips" is "once I have the payslips".
    text = re.sub(r"\bme (has|is|was|does|will|would|can|could|hasn[’']t|isn[’']t|wasn[’']t|doesn[’']t)\b",
                  lambda m: "I " + _FIRST_PERSON.get(m[1].replace("’", "'"), m[1]), text)
    return text[:1].upper() + text[1:]


_FIRST_PERSON = {"has": "have", "is": "am", "does": "do", "hasn't": "haven't", "isn't": "am not",
                 "doesn't": "don't"}


_SECOND_PERSON = {"has": "have", "is": "are", "was": "were", "does": "do", "hasn't": "haven't", "isn't": "aren't",
                  "wasn't": "weren't", "doesn't": "don't"}


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
    author = session.exec(select(User).where(User.name == item.author)).first() if item.author else None
    sender = (Sender(author.full_name or author.name, author.title) if author is not None
              else Sender(item.author or "Your relationship team"))
    message = render_recap(record_content, client=client.name if client else "client", sender=sender)
    draft_id = new_id()
    draft = Draft(id=draft_id, lineage_id=draft_id, kind="client_message", source_id=item.source_id,
                  client_id=item.client_id, author=item.author, engine="template", prompt_version=TEMPLATE_VERSION,
                  content_json=canonical_json(message.model_dump(mode="json")))
    session.add(draft)
    session.flush()
    append_event(session, event_type="draft", actor="engine:template", payload={
        "draft_id": draft_id, "lineage_id": draft_id, "kind": "client_message", "source_id": item.source_id,
        "from_review_id": item.id, "from_draft_id": summary_draft.id, "content": message.model_dump(mode="json"),
    })
    return on_new_draft(session, draft, parent_review=item, inherited_flags=json.loads(item.flags_json))
