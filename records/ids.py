"""Identifiers, timestamps, canonical JSON and hashes shared by every record.

Canonical JSON (sorted keys, compact separators, Unicode kept) and `sha256:`-tagged
digests are what the audit chain and the brief snapshots hash, so they live here once.
Timestamps are normalised to UTC strings before hashing because SQLite returns stored
datetimes without their offset and PostgreSQL with it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from typing import Any

from ulid import ULID

_lock = threading.Lock()
_last: ULID | None = None


def new_id() -> str:
    """A monotonic ULID string: sortable by creation time, unique within the process."""
    global _last
    with _lock:
        candidate = ULID()
        if _last is not None and candidate.bytes <= _last.bytes:
            candidate = ULID.from_int(int(_last) + 1)
        _last = candidate
        return str(candidate)


def content_hash(data: bytes) -> str:
    """The content hash a source is keyed by, tagged with its algorithm."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def canonical_json(obj: Any) -> str:
    """Serialise to canonical JSON: sorted keys, compact separators, Unicode kept."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def sha256_tag(data: str) -> str:
    """`sha256:<hex>` of the UTF-8 bytes of `data`."""
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def iso_utc(value: datetime) -> str:
    """An ISO 8601 UTC timestamp with microseconds; naive values are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime; naive values (SQLite returns them) are taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
