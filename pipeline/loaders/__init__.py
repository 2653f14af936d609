"""Turn uploaded bytes into a `LoadedDocument`: the one entry point for every format.

The extension picks the format family; the content then confirms or refines it (a
`.pdf` must start like a PDF, a `.docx` must be a zip, a `.txt` may turn out to be an
email, a transcript or a WebVTT file). Checks run cheapest and most general first:
size, emptiness, then binary content and decoding for text formats, then the format
parser. Every refusal is an `InputError` subclass whose message names the problem and
what to do, never the rejected content.

Each format module produces text plus sections with offsets valid for the final text;
see `_text.py` for how that is kept true.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

from pipeline.documents import LoadedDocument, Section, SourceKind
from pipeline.errors import DocumentTooLarge, EmptyDocument, MalformedDocument, UnsupportedFormat
from pipeline.loaders import email as email_loader
from pipeline.loaders import transcript
from pipeline.loaders._text import TextBuilder, decode_text, looks_binary
from pipeline.loaders.docx import parse_docx
from pipeline.loaders.hidden import encode_hidden, message_hidden
from pipeline.loaders.html import parse_html
from pipeline.loaders.markdown import parse_markdown, parse_prose
from pipeline.loaders.pdf import parse_pdf
from pipeline.loaders.text import sniff_text

__all__ = ["SUPPORTED_EXTENSIONS", "load_document", "load_path"]

SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    ".txt",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".pdf",
    ".docx",
    ".eml",
    ".mbox",
    ".vtt",
    ".srt",
    ".json",
)

MEDIA_TYPES = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "email": "message/rfc822",
    "mbox": "application/mbox",
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "json": "application/json",
}

_BY_EXTENSION = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".eml": "email",
    ".mbox": "mbox",
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
}

# (text, sections, title, metadata) as parsed; the loader fills in the rest.
_Parsed = tuple[str, list[Section], str | None, dict[str, str]]


def _detect(data: bytes, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    fmt = _BY_EXTENSION.get(suffix)
    if fmt is None:
        # No usable extension: accept only formats whose bytes say what they are.
        if data.lstrip().startswith(b"%PDF-"):
            return "pdf"
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"WEBVTT"):
            return "vtt"
        raise UnsupportedFormat(
            f"'{suffix or 'no extension'}' is not a supported file type; "
            f"upload one of {', '.join(SUPPORTED_EXTENSIONS)}",
            filename=filename,
        )
    if fmt == "pdf" and b"%PDF-" not in data[:1024]:
        raise MalformedDocument("the file is named .pdf but is not a PDF; upload the original PDF", filename=filename)
    if fmt == "docx" and not data.startswith(b"PK"):
        raise MalformedDocument(
            "the file is named .docx but is not a Word document (.doc files must be saved as .docx first)",
            filename=filename,
        )
    return fmt


def _load_text(text: str, filename: str) -> tuple[str, _Parsed]:
    guise = sniff_text(text)
    if guise == "email":
        header_end = email_loader.text_email_header_end(text)
        assert header_end is not None  # sniff_text just found it
        sections, headers = email_loader.parse_text_email(text, header_end)
        return "email", (text, sections, headers.get("Subject"), headers)
    if guise == "vtt":
        builder = TextBuilder()
        meta = transcript.parse_vtt(text.lstrip(), builder, filename)
        return "vtt", (builder.text, builder.sections, None, meta)
    if guise == "transcript":
        sections, meta = transcript.parse_plain_transcript(text)
        return "transcript", (text, sections, None, meta)
    return "text", (text, parse_prose(text), None, {})


def _load_mbox(data: bytes, filename: str) -> _Parsed:
    messages = email_loader.split_mbox(data)
    if not messages:
        raise MalformedDocument(
            "the mbox holds no messages (each must start with a 'From ' line); export the mailbox again",
            filename=filename,
        )
    builder = TextBuilder()
    first: dict[str, str] = {}
    dates = []
    hidden: list[dict[str, str]] = []
    for index, raw in enumerate(messages):
        msg = email_loader.parse_message(raw, filename, what=f"message {index + 1}")
        headers = email_loader.add_message(builder, msg, message_index=index)
        hidden += message_hidden(msg)
        first = first or headers
        if (when := email_loader.parse_date(headers.get("Date"))) is not None:
            dates.append(when)
    metadata = {f"first_{k.lower().replace('-', '_')}": v for k, v in first.items()}
    metadata["message_count"] = str(len(messages))
    if dates:
        # The thread happened when its newest message was sent.
        metadata["Date"] = max(dates, key=lambda d: d.timestamp()).isoformat()
    metadata.update(encode_hidden(hidden))
    return builder.text, builder.sections, first.get("Subject"), metadata


def _parse(fmt: str, data: bytes, filename: str) -> tuple[str, _Parsed]:
    """Run the parser for one format; returns the (possibly refined) format and the result."""
    if fmt in ("pdf", "docx"):
        builder = TextBuilder()
        parser: Callable[[bytes, TextBuilder, str], tuple[str | None, dict[str, str]]] = (
            parse_pdf if fmt == "pdf" else parse_docx
        )
        title, meta = parser(data, builder, filename)
        return fmt, (builder.text, builder.sections, title, meta)
    if fmt in ("email", "mbox"):
        if looks_binary(data):
            decode_text(data, filename)  # raises UndecodableDocument with the standard message
        if fmt == "mbox":
            return fmt, _load_mbox(data, filename)
        builder = TextBuilder()
        msg = email_loader.parse_message(data, filename)
        headers = email_loader.add_message(builder, msg)
        metadata = {**headers, **encode_hidden(message_hidden(msg))}
        return fmt, (builder.text, builder.sections, headers.get("Subject"), metadata)
    text = decode_text(data, filename)
    if fmt == "text":
        return _load_text(text, filename)
    if fmt == "markdown":
        sections, first = parse_markdown(text)
        return fmt, (text, sections, first, {})
    if fmt == "html":
        builder = TextBuilder()
        title = parse_html(text, builder)
        return fmt, (builder.text, builder.sections, title, {})
    builder = TextBuilder()
    if fmt == "vtt":
        meta = transcript.parse_vtt(text, builder, filename)
    elif fmt == "srt":
        meta = transcript.parse_srt(text, builder, filename)
    else:
        meta = transcript.parse_json_transcript(text, builder, filename)
    return fmt, (builder.text, builder.sections, None, meta)


_TRANSCRIPT_FORMATS = {"vtt", "srt", "json", "transcript"}


def load_document(
    data: bytes, filename: str, *, kind: SourceKind | None = None, max_bytes: int | None = None
) -> LoadedDocument:
    """Load an upload of any supported format into a `LoadedDocument`.

    Args:
        data: The file's bytes.
        filename: The name as uploaded; its extension selects the format.
        kind: What the source is to clientloop; by default "transcript" for
            transcript formats, "email" for emails, else "kb".
        max_bytes: Refuse files larger than this many bytes.

    Returns:
        Normalised text with sections whose offsets point into it.

    Raises:
        DocumentTooLarge: `data` is longer than `max_bytes`.
        EmptyDocument: No text (empty file, whitespace, no extractable text).
        UnsupportedFormat: An extension clientloop does not read.
        UndecodableDocument: Binary or undecodable content in a text format.
        MalformedDocument: The content does not follow its format.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentTooLarge(
            f"the file is {len(data):,} bytes, over the {max_bytes:,}-byte limit; split it or ask for a higher limit",
            filename=filename,
        )
    if not data.strip(b" \t\r\n\f\v\xef\xbb\xbf\xff\xfe\x00"):
        raise EmptyDocument("the file is empty; upload a file with text in it", filename=filename)
    fmt, (text, sections, title, metadata) = _parse(_detect(data, filename), data, filename)
    if not text.strip():
        raise EmptyDocument("the file holds no text once read; upload a file with text in it", filename=filename)

    media_type = MEDIA_TYPES.get(fmt, "text/plain")
    if fmt in ("email", "mbox"):
        default_kind: SourceKind = "email"
        if not email_loader.has_new_text(sections):
            metadata["new_text_empty"] = "true"
    elif fmt in _TRANSCRIPT_FORMATS:
        default_kind = "transcript"
        if fmt == "transcript":
            media_type = "text/plain"
    else:
        default_kind = "kb"
    occurred_at = email_loader.parse_date(metadata.get("Date")) if fmt in ("email", "mbox") else None
    return LoadedDocument(
        filename=filename,
        media_type=media_type,
        kind=kind or default_kind,
        title=(title or "").strip() or PurePath(filename).stem or filename,
        text=text,
        sections=sections,
        metadata=metadata,
        occurred_at=occurred_at,
    )


def load_path(path: str | Path, *, kind: SourceKind | None = None, max_bytes: int | None = None) -> LoadedDocument:
    """Load a file from disk; see `load_document`.

    The size limit is checked on the file's size before it is read, so an oversized
    file is never pulled into memory.

    Args:
        path: The file.
        kind: Override the default source kind.
        max_bytes: Refuse files larger than this many bytes.

    Returns:
        The loaded document, named by the file's base name.

    Raises:
        DocumentTooLarge: The file is over `max_bytes`.
        OSError: The file cannot be read.
    """
    path = Path(path)
    if max_bytes is not None and (size := path.stat().st_size) > max_bytes:
        raise DocumentTooLarge(
            f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit; split it or ask for a higher limit",
            filename=path.name,
        )
    return load_document(path.read_bytes(), path.name, kind=kind, max_bytes=max_bytes)
