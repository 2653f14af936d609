"""Anchoring the audit chain outside the database.

A hash chain alone cannot tell a cut-off tail from a short history, nor a forged event
appended by someone who can write to the database from a real one: both are valid chains.
Two anchors close that gap, both keyed by a secret that lives outside the database (a key
file, by default beside the data directory; in production a mounted secret):

- **Event MACs.** Every appended event carries `mac = HMAC-SHA256(key, hash)`. A forger
  with database access but not the key cannot produce one, so an appended event without a
  valid MAC is reported, and so is an unsigned event after signing began.
- **Checkpoints.** A signed record of the chain head (`seq`, `hash`), appended as one JSON
  line to a file outside the database, on demand (`clientloop audit checkpoint`) and by the
  worker on a schedule. A chain shorter than its last checkpoint has lost its tail; a chain
  whose event at a checkpoint's `seq` has another hash has been rewritten.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from records.ids import canonical_json, iso_utc, utcnow
from review.errors import AuditKeyError
from review.models import AuditEvent

MAC_PREFIX = "hmac-sha256:"


def load_or_create_key(path: Path) -> bytes:
    """The audit key in `path`, created (32 random bytes, hex, mode 0600) if the file is absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    raw = path.read_text(encoding="ascii", errors="strict").strip()
    try:
        key = bytes.fromhex(raw)
    except ValueError as exc:
        raise AuditKeyError(f"{path} does not hold a hex audit key; restore it from your secret store") from exc
    if len(key) < 16:
        raise AuditKeyError(f"{path} holds a key of {len(key)} bytes; at least 16 are needed")
    return key


def sign(key: bytes, message: str) -> str:
    """`hmac-sha256:<hex>` of `message` under `key`."""
    return MAC_PREFIX + hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def mac_ok(key: bytes, message: str, mac: str | None) -> bool:
    """Whether `mac` is the MAC of `message` (constant-time comparison)."""
    return mac is not None and hmac.compare_digest(sign(key, message), mac)


@dataclass(frozen=True)
class Checkpoint:
    """One signed chain head."""

    seq: int
    hash: str
    written_at: str
    mac: str

    @staticmethod
    def body(seq: int, head: str, written_at: str) -> str:
        """The signed text of a checkpoint."""
        return canonical_json({"seq": seq, "hash": head, "written_at": written_at})


def _head(session: Session) -> AuditEvent | None:
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the log, oldest first; a line that is not a checkpoint is kept as forged."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Checkpoint(int(d["seq"]), str(d["hash"]), str(d["written_at"]), str(d["mac"])))
        except (ValueError, KeyError, TypeError):
            out.append(Checkpoint(-1, "", "", ""))
    return out


def write_checkpoint(session: Session, *, key: bytes, path: Path) -> Checkpoint | None:
    """Append a signed record of the current chain head to `path`; None if the chain is empty."""
    head = _head(session)
    if head is None:
        return None
    written_at = iso_utc(utcnow())
    cp = Checkpoint(head.id, head.hash, written_at, sign(key, Checkpoint.body(head.id, head.hash, written_at)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(cp.__dict__, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return cp


def checkpoint_due(session: Session, *, path: Path, every: int, seconds: float,
                   now: datetime | None = None) -> bool:
    """Whether the chain grew by `every` events, or grew at all and `seconds` passed, since the last checkpoint."""
    head = _head(session)
    if head is None:
        return False
    cps = [c for c in read_checkpoints(path) if c.seq >= 0]
    if not cps:
        return True
    last = cps[-1]
    grown = head.id - last.seq
    if grown <= 0:
        return False
    if grown >= every:
        return True
    written = datetime.strptime(last.written_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    current = (now or utcnow()).replace(tzinfo=None)
    return (current - written).total_seconds() >= seconds


@dataclass(frozen=True)
class AnchorResult:
    """What the key-based checks found."""

    ok: bool
    checked_events: int
    unsigned_before_signing: int
    checkpoints: int
    problems: tuple[str, ...]


def _event_problems(session: Session, key: bytes) -> tuple[int, int, list[str]]:
    checked, legacy = 0, 0
    problems: list[str] = []
    signing_began = False
    last = 0
    while True:
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.id) > last)
                            .order_by(col(AuditEvent.id)).limit(1000)).all()
        if not rows:
            return checked, legacy, problems
        for row in rows:
            checked += 1
            if row.mac is None:
                if signing_began:
                    problems.append(f"event {row.id} has no MAC although signing began earlier: forged append")
                else:
                    legacy += 1
                continue
            signing_began = True
            if not mac_ok(key, row.hash, row.mac):
                problems.append(f"event {row.id} has a MAC the audit key did not make: forged or re-hashed event")
        last = rows[-1].id


def _checkpoint_problems(session: Session, key: bytes, cps: list[Checkpoint]) -> list[str]:
    problems = []
    head = _head(session)
    length = head.id if head else 0
    for n, cp in enumerate(cps, start=1):
        if cp.seq < 0 or not mac_ok(key, Checkpoint.body(cp.seq, cp.hash, cp.written_at), cp.mac):
            problems.append(f"checkpoint line {n} is not signed by the audit key: the checkpoint log was altered")
            continue
        if cp.seq > length:
            problems.append(f"checkpoint line {n} recorded event {cp.seq} but the chain ends at {length}: "
                            f"{cp.seq - length} event(s) cut from the tail")
            continue
        row = session.get(AuditEvent, cp.seq)
        if row is None or row.hash != cp.hash:
            problems.append(f"event {cp.seq} no longer has the hash checkpoint line {n} recorded: chain rewritten")
    return problems


def verify_anchors(session: Session, *, key: bytes, path: Path) -> AnchorResult:
    """Check every event MAC and every checkpoint against the chain in the database."""
    checked, legacy, problems = _event_problems(session, key)
    cps = read_checkpoints(path)
    problems += _checkpoint_problems(session, key, cps)
    return AnchorResult(not problems, checked, legacy, len(cps), tuple(problems))
