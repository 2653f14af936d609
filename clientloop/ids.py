"""Identifiers and hashes used across the records."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime

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
