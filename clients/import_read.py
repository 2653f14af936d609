"""Reading CRM exports: bytes to text (encoding detected), then CSV or JSON rows.

CSV dialects are sniffed (`csv.Sniffer`): comma, semicolon, tab or pipe separated exports
all read, so a European Excel export is not refused for its semicolons.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from clients.errors import ImportFileError

_SNIFF_CHARS = 8192


def decode(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes, detecting the encoding.

    Returns:
        The text and the name of the encoding used.

    Raises:
        ImportFileError: the bytes are not text in any supported encoding.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"the file starts with a UTF-16 mark but is not UTF-16: {exc.reason}") from exc
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        # BOM-less UTF-16: ASCII text leaves every other byte zero.
        even_zero = sample[0::2].count(0) > sample[1::2].count(0)
        encoding = "utf-16-be" if even_zero else "utf-16-le"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportFileError("the file looks binary, not a CSV or JSON export") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is neither UTF-8, UTF-16 nor Windows-1252 text") from exc


def read_records(data: bytes, filename: str) -> tuple[str, list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Decode and parse an export into (line, row) pairs.

    Returns:
        The encoding, the column names, and the rows: CSV rows carry their physical line
        number (the header is line 1), JSON records their 1-based position.

    Raises:
        ImportFileError: undecodable, empty, no header, or JSON that is not a list of objects.
    """
    text, encoding = decode(data)
    if not text.strip():
        raise ImportFileError(f"{filename} is empty")
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{filename}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        items = doc.get("records", doc.get("rows")) if isinstance(doc, dict) else doc
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportFileError(f"{filename}: JSON must be a list of objects (or {{\"records\": [...]}})")
        columns = sorted({k for item in items for k in item})
        return encoding, columns, iter([(i + 1, item) for i, item in enumerate(items)])
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text))
    if not reader.fieldnames:
        raise ImportFileError(f"{filename}: no header row")
    columns = [c.strip() for c in reader.fieldnames]
    reader.fieldnames = columns

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for row in reader:
            yield reader.line_num, row

    return encoding, columns, rows()



def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    # Excel writes semicolons where the decimal mark is a comma (most of Europe): sniff the
    # delimiter from the first lines rather than assume a comma.
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=",;\t|")
    except csv.Error:
        return csv.excel
