"""Decoding, normalisation and text assembly shared by every loader.

Two rules keep offsets honest:

* Text formats are decoded and normalised *once*, up front (`decode_text`), and the
  format parser then computes every offset against that final string. Nothing is
  rewritten after an offset has been taken.
* Formats whose text is assembled from parts (HTML, PDF, DOCX, parsed email) go through
  `TextBuilder`, which normalises each part *before* appending it and records the
  section from the length of the text before and after the append.

Error messages never quote the rejected bytes: uploads may hold client data, and error
text ends up in logs and HTTP responses.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipeline.documents import Section
from pipeline.errors import EmptyDocument, UndecodableDocument

# Share of control characters above which bytes or text count as binary. Real text
# has almost none (tabs and newlines are excluded from the count).
_BINARY_RATIO = 0.10
_SNIFF_BYTES = 8192
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_NEWLINES = re.compile(r"\r\n?")


def normalise(text: str) -> str:
    r"""Normalise newlines to ``\n`` and the text to Unicode NFC.

    Args:
        text: Decoded text.

    Returns:
        The normalised text.
    """
    return unicodedata.normalize("NFC", _NEWLINES.sub("\n", text))


_DROP_ALLOWED = dict.fromkeys(map(ord, _ALLOWED_CONTROLS))


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:_SNIFF_BYTES]
    # Printable text holds no Cc/Cs/Co/Cn character: the common case skips the per-character loop.
    if sample.translate(_DROP_ALLOWED).isprintable():
        return 0.0
    bad = sum(
        1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
    )
    return bad / len(sample)


def looks_binary(data: bytes) -> bool:
    """Say whether raw bytes look like binary rather than text.

    UTF-16/32 text is recognised by its byte-order mark first, because it is full of
    NUL bytes by design.

    Args:
        data: The raw upload.

    Returns:
        True for NUL bytes or a high share of control bytes.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and chr(b) not in _ALLOWED_CONTROLS)
    return bool(sample) and controls / len(sample) > _BINARY_RATIO


_WESTERN = ("cp1252", "latin_1")
"""Encodings preferred when the detector finds them plausible: on short Western-European text
charset-normalizer ranks cp1250 or mac_latin2 first and would turn "£" into "Ł"."""


_C1 = re.compile("[\u0080-\u009f]")
_MIN_COHERENCE = 10.0


def decode_bytes(data: bytes, declared: str | None, filename: str) -> str:
    """The one byte decoder: the declared charset, else strict UTF-8, else detection; never U+FFFD.

    Detection is charset-normalizer's; among the encodings it finds plausible, Windows-1252
    and Latin-1 win (the text of a UK or European bank), otherwise its best guess.

    Raises:
        UndecodableDocument: nothing decodes the bytes cleanly.
    """
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration: fall through to what the bytes say
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    found = from_bytes(data)
    for encoding in _WESTERN:
        if encoding in {m.encoding for m in found}:
            text = _try(data, encoding)
            if text is not None and not _C1.search(text):
                return text
    best = found.best()
    # A guess with no recognisable language behind it (a few stray bytes in ASCII text) is
    # refused: a wrong guess would turn into silently garbled client text.
    if best is None or best.percent_coherence < _MIN_COHERENCE or _C1.search(str(best)):
        raise UndecodableDocument("the text is not valid UTF-8 and its encoding cannot be told reliably; save it "
                                  "as UTF-8 and upload again", filename=filename)
    return str(best)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, filename: str) -> str:
    """Decode the bytes of a text format and normalise them.

    Order: UTF-32/UTF-16 when a byte-order mark says so, then `decode_bytes` (UTF-8, then
    detection preferring Windows-1252), and the result must come out mostly printable.
    Anything else is refused rather than guessed at, so a wrong guess never turns into
    silently garbled client text.

    Args:
        data: The raw upload.
        filename: Used in error messages.

    Returns:
        Normalised text (LF newlines, NFC).

    Raises:
        UndecodableDocument: Binary content, or bytes in no supported encoding.
        EmptyDocument: The text is empty or whitespace once decoded.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        text = _strict(data, "utf-32", filename)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(data, "utf-16", filename)
    else:
        if looks_binary(data):
            raise UndecodableDocument(
                "binary content in a text file; upload the original document in a supported format",
                filename=filename,
            )
        text = decode_bytes(data, None, filename)
    if _control_ratio(text) > _BINARY_RATIO:
        raise UndecodableDocument(
            "binary content in a text file; upload the original document in a supported format",
            filename=filename,
        )
    text = normalise(text.lstrip("\ufeff"))
    if not text.strip():
        raise EmptyDocument("the file holds only whitespace; upload a file with text in it", filename=filename)
    return text


def _strict(data: bytes, encoding: str, filename: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise UndecodableDocument(
            f"the file starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}; "
            "save it as UTF-8 and upload again",
            filename=filename,
        ) from None


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends.

    Args:
        text: A fragment of extracted text (an HTML paragraph, a table cell).

    Returns:
        The fragment on one line.
    """
    return " ".join(text.split())


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink `[start, end)` so it neither starts nor ends with whitespace.

    Args:
        text: The document text.
        start: Span start.
        end: Span end.

    Returns:
        The trimmed span; empty (`start == end`) when the span held only whitespace.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class TextBuilder:
    """Append text parts and record a section for each, so offsets are right by construction."""

    parts: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    length: int = 0

    def append(self, text: str) -> tuple[int, int]:
        """Append normalised text with no section.

        Args:
            text: The part to append.

        Returns:
            The `[start, end)` span it occupies.
        """
        text = normalise(text)
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def add(self, text: str, *, separator: str = "\n\n", **section: Any) -> Section | None:
        """Append a block as its own section, separated from what precedes it.

        Args:
            text: The block's text; whitespace-only blocks are skipped.
            separator: Put before the block unless it is the first.
            **section: Extra `Section` fields (heading, role, speaker...).

        Returns:
            The recorded section, or None when the block was blank.
        """
        text = normalise(text).strip()
        if not text:
            return None
        if self.length:
            self.append(separator)
        start, end = self.append(text)
        sec = Section(start=start, end=end, **section)
        self.sections.append(sec)
        return sec

    @property
    def text(self) -> str:
        """The text assembled so far."""
        return "".join(self.parts)
