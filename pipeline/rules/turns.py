"""Cut an interaction's text into attributed clauses: who says what, to whom, and where.

Every clause keeps its character offsets into the original text, so the evidence of any
action built from it is an exact span of the source by construction.

Design decisions:

- The three input formats share one representation, `Clause` (speaker, addressee, offsets,
  `quoted`, `turn` index). Transcripts give one turn per `Name: utterance` line; notes give
  one turn per line, spoken by the note's author; emails give one turn per message, the
  newest first, older ones marked `quoted`.
- Sentence splitting runs on a *masked* copy of the text of equal length: header lines,
  `>` quote prefixes and lines addressed to an AI system are blanked out there, so they can
  neither start nor join a clause, while offsets still point into the untouched original.
- Lines that address an AI or automated system ("ignore previous instructions...") are
  treated as data and never yield clauses: the guide says they create nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from pipeline.schemas import Participant
from pipeline.text import sentence_spans

INJECTION = re.compile(
    r"ignore (?:all |any |your |the )?(?:previous |prior |above )?instructions|\bAI (?:assistant|system|model)\b"
    r"|automated system|language model|mark (?:this|it)(?: request)? as approved|no review (?:is )?needed"
    r"|^\s*(?:P\.?S\.?\s*)?(?:Assistant|AI|System|Bot)\s*:",
    re.IGNORECASE,
)
_EMAIL_HEADER = re.compile(r"^(?:From|To|Cc|Bcc|Date|Sent|Subject):", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"^-{3,}\s*(?:Original Message|Forwarded message)\s*-{3,}\s*$", re.IGNORECASE)
# A mail program's reply line opens the quoted message: "On Fri, 10 Apr 2026 at 11:02, Simone Baptiste wrote:".
_REPLY_LINE = re.compile(r"^On\s.{4,120}?,\s*(?P<name>[^,<>]+?)\s*(?:<[^>]*>)?\s+wrote:\s*$")
_SIGN_OFF = re.compile(
    r"^(?:kind |best |warm |with best |many )?(?:regards|wishes|thanks|thank you|cheers|best|sincerely"
    r"|yours sincerely|yours faithfully|all the best)[,.!]?\s*$",
    re.IGNORECASE,
)
_TRANSCRIPT_LINE = re.compile(r"^(?P<name>[^:\n]{2,60}?):[ \t]+(?P<utterance>.+)$")
# Clauses joined by "and"/";" where a new subject makes its own commitment get split, so
# "I'll register it today, and our bereavement team will send you a pack" is two actions.
# "I can't refund it myself, so I'll ask my team leader to sign it off": the promise after ", so" is
# its own clause, with its own date ("We're registering on Thursday, so I'll scan it over on Friday").
_CLAUSE_SPLIT = re.compile(
    r";\s*|,\s*so\s+(?=(?:I|we)(?:'ll|’ll|\s+will|'m going to|’m going to|\s+am going to)\s)"
    # Notes hand work on after an arrow or dash: "Told her we can't advise -> she'll raise it with...",
    # "Need ex's bank details - KO to get via solicitor"; "I can't agree that myself but I'll put...".
    r"|(?:\s+->\s*|\s+[-–—]\s+)(?=(?:[Ss]he|[Hh]e|[Tt]hey|I|[Ww]e|[A-Z]{2,4})(?:'ll|’ll|\s+will|\s+would|\s+to)\s)"
    r"|\s+but\s+(?=(?:I|we)(?:'ll|’ll|\s+will|\s+would)\s)"
    r"|(?:,\s*and\s+|,\s*but\s+|\s+and\s+)(?=(?:then\s+)?(?:I|we|you|he|she|they|our|the|[A-Z][a-z]+)"
    r"(?:\s+[\w-]+){0,3}?\s*(?:'ll|’ll|\s+will|'ve|’ve|\s+have|'m going to|\s+needs?)\b"
    # "...and KO to send the form", "...and our ops team to switch it on"; not "...and the fee back to credit".
    r"|(?:then\s+)?(?:[A-Z]{2,4}|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?|(?:our|the)\s+(?:[\w-]+\s+){0,2}?team)\s+to\s+[a-z]+\b)"
)


@dataclass
class Clause:
    """One clause of the source with its attribution and offsets into the original text."""

    start: int
    end: int
    text: str
    speaker: str | None
    addressees: list[str]
    turn: int
    sentence: int
    quoted: bool = False
    message: int = 0
    line_text: str = ""
    sentence_text: str = ""


@dataclass
class Message:
    """One email message of a thread (index 0 is the newest)."""

    index: int
    sender: str | None
    recipients: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    sent: datetime | None = None
    """When it was sent (its Date or Sent header), if that parses."""


def _sent(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when is not None and when.tzinfo is not None else None


def _newest_first(messages: list[Message]) -> list[Message]:
    """Index the messages newest first: a reply quotes older mail below it, but a mailbox lists it oldest first."""
    sent = [m.sent for m in messages]
    dates = [d for d in sent if d is not None]
    if len(messages) > 1 and len(dates) == len(messages) and dates[0] < dates[-1]:
        for position, m in enumerate(messages):
            m.index = len(messages) - 1 - position
    return messages


def _mask(text: str, start: int, end: int, masked: list[str]) -> None:
    for i in range(start, end):
        if masked[i] != "\n":
            masked[i] = " "


def _header_name(value: str) -> str:
    """'Jonas Berg <jonas@x.example>' -> 'Jonas Berg'; a bare address keeps its local part."""
    value = value.strip()
    name = re.sub(r"<[^>]*>", "", value).strip().strip('"')
    return name or value.strip("<>")


def _split_sentences(text: str, masked: str, start: int, end: int, *, wrapped: bool = False) -> list[tuple[int, int]]:
    """Sentence spans within [start, end) of the masked copy, cut at sentence ends and line breaks.

    With `wrapped` (email bodies, which mail programs hard-wrap at ~72 characters) a single
    line break is wrapping, not the end of a sentence; blank lines and list items still are.
    """
    return [(s, e) for s, e, _ in sentence_spans(masked, start, end, markdown=wrapped)
            if e - s >= 3 and text[s:e].strip()]


def _clauses_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        if m.start() - cursor >= 12:
            pieces.append((cursor, m.start()))
            cursor = m.end()
    pieces.append((cursor, end))
    out = []
    for s, e in pieces:
        while e > s and text[e - 1] in " ,;":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _emit(
    text: str,
    masked: str,
    start: int,
    end: int,
    *,
    speaker: str | None,
    addressees: list[str],
    turn: int,
    quoted: bool = False,
    message: int = 0,
    wrapped: bool = False,
) -> list[Clause]:
    clauses = []
    for sentence_no, (s, e) in enumerate(_split_sentences(text, masked, start, end, wrapped=wrapped)):
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        line_text = text[line_start : line_end if line_end != -1 else len(text)]
        for cs, ce in _clauses_of(text, s, e):
            clauses.append(
                Clause(
                    start=cs,
                    end=ce,
                    text=text[cs:ce],
                    speaker=speaker,
                    addressees=addressees,
                    turn=turn,
                    sentence=sentence_no,
                    quoted=quoted,
                    message=message,
                    line_text=line_text,
                    sentence_text=text[s:e],
                )
            )
    return clauses


def _mask_injections(text: str, masked: list[str]) -> None:
    for line in re.finditer(r"[^\n]+", text):
        if INJECTION.search(line.group()):
            _mask(text, line.start(), line.end(), masked)


def transcript_clauses(text: str, participants: list[Participant]) -> list[Clause]:
    """Clauses of a `Name: utterance` transcript; each turn is addressed to everyone else."""
    masked = list(text)
    _mask_injections(text, masked)
    masked_text = "".join(masked)
    names = [p.name for p in participants]
    clauses: list[Clause] = []
    turn = 0
    for line in re.finditer(r"[^\n]+", text):
        m = _TRANSCRIPT_LINE.match(line.group())
        if not m:
            continue
        speaker = m.group("name").strip()
        start = line.start() + m.start("utterance")
        others = [n for n in names if n != speaker]
        clauses += _emit(text, masked_text, start, line.end(), speaker=speaker, addressees=others, turn=turn)
        turn += 1
    return clauses


def transcript_speakers(text: str) -> list[str]:
    """Speaker labels of a transcript, in order of first appearance."""
    seen: list[str] = []
    for line in text.splitlines():
        m = _TRANSCRIPT_LINE.match(line)
        if m and m.group("name").strip() not in seen and len(m.group("name").split()) <= 5:
            seen.append(m.group("name").strip())
    return seen


def email_messages(text: str) -> list[Message]:
    """Split an email thread into messages, newest first, with their header names and body ranges."""
    messages: list[Message] = []
    current = Message(index=0, sender=None)
    body_started = False
    offset = 0
    lines = text.split("\n")
    for raw in lines:
        line_start, line_end = offset, offset + len(raw)
        offset = line_end + 1
        stripped = raw.lstrip("> ").rstrip()
        reply = _REPLY_LINE.match(stripped) if body_started else None
        if (_ORIGINAL_MESSAGE.match(stripped) or reply
                or (body_started and re.match(r"^From:", stripped, re.IGNORECASE))):
            current.end = line_start
            messages.append(current)
            current = Message(index=len(messages), sender=reply["name"] if reply else None, start=line_start)
            body_started = False
            if _ORIGINAL_MESSAGE.match(stripped) or reply:
                current.start = line_end + 1
                continue
        header = re.match(r"^(From|To|Cc|Sent|Date|Subject):\s*(.*)$", stripped, re.IGNORECASE)
        if header and not body_started:
            key, value = header.group(1).lower(), header.group(2)
            if key == "from":
                current.sender = _header_name(value)
            elif key in ("date", "sent") and current.sent is None:
                current.sent = _sent(value)
            elif key in ("to", "cc"):
                names = [_header_name(v) for v in re.split(r"[;,](?![^<]*>)", value) if v.strip()]
                (current.recipients if key == "to" else current.cc).extend(names)
            continue
        if stripped:
            body_started = True
    current.end = len(text)
    messages.append(current)
    return _newest_first(messages)


def email_clauses(text: str, participants: list[Participant]) -> tuple[list[Clause], list[Message]]:
    """Clauses of an email thread; clauses of older, quoted messages carry `quoted=True`."""
    masked = list(text)
    _mask_injections(text, masked)
    offset = 0
    in_signature = False
    for raw in text.split("\n"):
        start, end = offset, offset + len(raw)
        offset = end + 1
        stripped = raw.lstrip("> ").strip()
        if raw.startswith(">"):
            prefix = len(raw) - len(raw.lstrip("> "))
            _mask(text, start, start + prefix, masked)
        if _EMAIL_HEADER.match(stripped) or _ORIGINAL_MESSAGE.match(stripped) or _REPLY_LINE.match(stripped):
            _mask(text, start, end, masked)
            in_signature = False
            continue
        if _SIGN_OFF.match(stripped) or stripped in {"---", "--"}:
            in_signature = True
        if in_signature:
            _mask(text, start, end, masked)
        if not stripped:
            # A blank line after a sign-off keeps the signature going until the next header.
            continue
    masked_text = "".join(masked)
    messages = email_messages(text)
    clauses: list[Clause] = []
    for position, msg in enumerate(messages):
        addressees = msg.recipients + msg.cc
        clauses += _emit(
            text,
            masked_text,
            msg.start,
            msg.end,
            speaker=msg.sender,
            addressees=addressees,
            turn=position,
            quoted=msg.index > 0,
            message=msg.index,
            wrapped=True,
        )
    return clauses, messages


def note_clauses(text: str, author: str | None) -> list[Clause]:
    """Clauses of meeting notes: one turn per line, spoken by the note's author."""
    masked = list(text)
    _mask_injections(text, masked)
    masked_text = "".join(masked)
    clauses: list[Clause] = []
    for turn, line in enumerate(re.finditer(r"[^\n]+", text)):
        clauses += _emit(text, masked_text, line.start(), line.end(), speaker=author, addressees=[], turn=turn)
    return clauses
