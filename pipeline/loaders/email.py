"""Email: .eml, .mbox and plain-text emails with a header block.

Every email becomes: a header section (role "header": From/To/Cc/Date/Subject lines),
the new text (role "body") and the older quoted history (role "quoted"). Keeping
quoted history apart matters downstream: a commitment in an old quoted message may
already be done, and must not be read as the sender's new words.

Quoted history starts at the first `-----Original Message-----` line, `On ... wrote:`
line or Outlook-style `From:` + `Sent:` block; everything after it is history. A run of
`>`-prefixed lines is history too, but text after such a run stays new text, so inline
replies keep their structure.

Parsed `.eml`/`.mbox` messages are rebuilt as text (header block, blank line, body); a
`.txt` email is kept verbatim and its offsets point straight into it.
"""

from __future__ import annotations

import email
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

from pipeline.documents import Section
from pipeline.errors import MalformedDocument
from pipeline.loaders._text import TextBuilder, decode_bytes, normalise, trim_span
from pipeline.loaders.html import html_to_text

QUOTED_HEADING = "Quoted history"
HEADER_FIELDS = ("From", "To", "Cc", "Date", "Subject")
_METADATA_FIELDS = (*HEADER_FIELDS, "Message-ID")

_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE)
_ON_WROTE_START = re.compile(r"^\s*On\s.{4,}", re.IGNORECASE)
_WROTE_END = re.compile(r"wrote:\s*$", re.IGNORECASE)
_FROM_LINE = re.compile(r"^\s*(\*\s*)?From:\s*\S", re.IGNORECASE)
_SENT_LINE = re.compile(r"^\s*(\*\s*)?(Sent|Date):\s*\S", re.IGNORECASE)
_QUOTE_LINE = re.compile(r"^\s*>")
_MBOX_FROM = re.compile(rb"^From [^\n]*\n(?=[\w-]+:)", re.MULTILINE)
_TEXT_HEADER = re.compile(r"^(From|To|Cc|Bcc|Date|Sent|Subject|Reply-To|Message-ID):[ \t]*(.*)$", re.IGNORECASE)


def _is_on_wrote(lines: list[str], i: int) -> bool:
    # Mail clients wrap long attributions, so "wrote:" may end the next line.
    if not _ON_WROTE_START.match(lines[i]):
        return False
    return bool(_WROTE_END.search(lines[i]) or (i + 1 < len(lines) and _WROTE_END.search(lines[i + 1])))


def _history_cut(lines: list[str]) -> int | None:
    """Index of the first line that starts quoted history for good, if any."""
    for i, line in enumerate(lines):
        if _ORIGINAL.match(line):
            return i
        if _is_on_wrote(lines, i):
            nxt = next((ln for ln in lines[i + 1 :] if ln.strip() and not _WROTE_END.search(ln)), "")
            if not _QUOTE_LINE.match(nxt):
                return i
        if _FROM_LINE.match(line) and any(_SENT_LINE.match(ln) for ln in lines[i + 1 : i + 5]):
            return i
    return None


def split_body(
    text: str, start: int, end: int, *, heading: str | None = None, message_index: int | None = None
) -> list[Section]:
    """Split an email body into new text and quoted history sections.

    Args:
        text: The whole document text.
        start: Where the body starts in `text`.
        end: Where the body ends.
        heading: Heading for the sections (the subject); quoted ones get " > Quoted history".
        message_index: Which mbox message the body belongs to.

    Returns:
        Alternating body/quoted sections in order, trimmed of whitespace.
    """
    lines = text[start:end].split("\n")
    offsets: list[int] = []
    pos = start
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    quoted = _quoted_lines(lines)
    quoted_heading = f"{heading} > {QUOTED_HEADING}" if heading else QUOTED_HEADING
    sections: list[Section] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and quoted[j] == quoted[i]:
            j += 1
        seg_end = offsets[j] - 1 if j < len(lines) else end
        s, e = trim_span(text, offsets[i], max(offsets[i], seg_end))
        if s < e:
            if quoted[i]:
                sections.append(Section(start=s, end=e, role="quoted", heading=quoted_heading,
                                        message_index=message_index))
            else:
                sections.append(Section(start=s, end=e, role="body", heading=heading, message_index=message_index))
        i = j
    return sections


def _quoted_lines(lines: list[str]) -> list[bool]:
    """Label each line quoted (">" runs, their attribution, the history after a cut) or new."""
    cut = _history_cut(lines)
    limit = len(lines) if cut is None else cut
    quoted = [i >= limit or bool(_QUOTE_LINE.match(lines[i])) for i in range(len(lines))]
    for i in range(limit):
        if not quoted[i] and _is_on_wrote(lines, i):
            _quote_up_to_run(quoted, lines, i, i + 1 + (0 if _WROTE_END.search(lines[i]) else 1), limit)
    # Blank lines inside a quoted run belong to it.
    for i in range(1, limit):
        if not lines[i].strip() and quoted[i - 1]:
            _quote_up_to_run(quoted, lines, i, i, limit)
    return quoted


def _quote_up_to_run(quoted: list[bool], lines: list[str], first: int, scan: int, limit: int) -> None:
    """Mark lines `first`.. as quoted when, after blank lines from `scan`, a quoted run follows."""
    j = scan
    while j < limit and not lines[j].strip():
        j += 1
    if j < limit and quoted[j]:
        for k in range(first, j):
            quoted[k] = True


def parse_date(value: str | None) -> datetime | None:
    """Parse an email Date header leniently.

    Args:
        value: The header value.

    Returns:
        An aware or naive datetime, or None when it cannot be read.
    """
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _body_text(msg: EmailMessage, filename: str = "email") -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    # The transfer-decoded bytes, decoded by us: the email package would read a part with no
    # charset as ASCII and put U+FFFD in place of every "£" of a UTF-8 email.
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        content = decode_bytes(payload, part.get_content_charset(), filename)
    else:
        content = str(payload or "")
    return html_to_text(content) if part.get_content_type() == "text/html" else content


def parse_message(data: bytes, filename: str, *, what: str = "the email") -> EmailMessage:
    """Parse RFC 822 bytes, refusing input with no recognisable headers.

    Args:
        data: The message bytes.
        filename: For error messages.
        what: How to name the message in errors ("message 2").

    Returns:
        The parsed message.

    Raises:
        MalformedDocument: No From/To/Date/Subject header at all.
    """
    try:
        msg = email.message_from_bytes(data, policy=policy.default)
    except Exception as exc:  # the parser is lenient; anything raised means truly broken input
        raise MalformedDocument(
            f"{what} could not be parsed ({type(exc).__name__}); export it again as .eml",
            filename=filename,
        ) from None
    if not isinstance(msg, EmailMessage) or not any(msg.get(h) for h in ("From", "To", "Date", "Subject")):
        raise MalformedDocument(
            f"{what} has no email headers (From, To, Date, Subject); export it again as .eml or upload it as .txt",
            filename=filename,
        )
    return msg


def _header_values(msg: EmailMessage) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in _METADATA_FIELDS:
        try:
            value = msg.get(name)
        except Exception:  # a malformed header should not lose the whole message
            value = None
        if value:
            values[name] = normalise(" ".join(str(value).split()))
    return values


def add_message(builder: TextBuilder, msg: EmailMessage, *, message_index: int | None = None) -> dict[str, str]:
    """Append one parsed message (header block, then body) to the builder.

    Args:
        builder: Receives text and sections.
        msg: The parsed message.
        message_index: Set on every section when the message comes from an mbox.

    Returns:
        The message's header values.
    """
    headers = _header_values(msg)
    subject = headers.get("Subject") or None
    block = "\n".join(f"{name}: {headers[name]}" for name in HEADER_FIELDS if name in headers)
    builder.add(block, role="header", heading=subject, message_index=message_index)
    body = normalise(_body_text(msg)).strip("\n")
    if body.strip():
        builder.append("\n\n")
        start, end = builder.append(body)
        builder.sections.extend(split_body(builder.text, start, end, heading=subject, message_index=message_index))
    return headers


def has_new_text(sections: list[Section]) -> bool:
    """Say whether any body section (new, unquoted text) exists.

    Args:
        sections: Sections of an email document.

    Returns:
        True when the email has new text.
    """
    return any(s.role == "body" for s in sections)


def text_email_header_end(text: str) -> int | None:
    """Find the header block of a plain-text email, if the text starts with one.

    The block must open the text and name a sender plus a date or subject, so meeting
    notes that merely contain a "Date:" line are not taken for emails.

    Args:
        text: Normalised text.

    Returns:
        The offset where the header block ends (before the blank line), or None.
    """
    pos = len(text) - len(text.lstrip())
    names: set[str] = set()
    end = pos
    for line in text[pos:].split("\n"):
        m = _TEXT_HEADER.match(line)
        if not m:
            break
        names.add(m.group(1).lower())
        end += len(line) + 1
    if "from" in names and names & {"date", "sent", "subject"}:
        return end - 1
    return None


def parse_text_email(text: str, header_end: int) -> tuple[list[Section], dict[str, str]]:
    """Structure a plain-text email whose header block ends at `header_end`.

    Args:
        text: Normalised text.
        header_end: From `text_email_header_end`.

    Returns:
        Sections and header metadata.
    """
    start, _ = trim_span(text, 0, header_end)
    headers: dict[str, str] = {}
    for line in text[start:header_end].split("\n"):
        if m := _TEXT_HEADER.match(line):
            name = next((f for f in _METADATA_FIELDS if f.lower() == m.group(1).lower()), m.group(1).title())
            if name == "Sent":
                name = "Date" if "Date" not in headers else name
            headers.setdefault(name, m.group(2).strip())
    subject = headers.get("Subject") or None
    sections = [Section(start=start, end=header_end, role="header", heading=subject)]
    sections += split_body(text, header_end, len(text), heading=subject)
    return sections, headers


def split_mbox(data: bytes) -> list[bytes]:
    """Split mbox bytes into messages at `From ` separator lines.

    Args:
        data: The mbox file.

    Returns:
        Message bytes with mboxrd `>From ` escaping undone.
    """
    data = data.replace(b"\r\n", b"\n")
    # A separator opens the file or follows a blank line, and a header line follows it;
    # that keeps an unescaped "From here on..." line in a body from splitting a message.
    starts = [
        m.start() for m in _MBOX_FROM.finditer(data) if m.start() == 0 or data[m.start() - 2 : m.start()] == b"\n\n"
    ]
    messages: list[bytes] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(data)
        chunk = data[start:end]
        chunk = chunk[chunk.index(b"\n") + 1 :]
        chunk = re.sub(rb"^>(>*From )", rb"\1", chunk, flags=re.MULTILINE)
        if chunk.strip():
            messages.append(chunk)
    return messages
