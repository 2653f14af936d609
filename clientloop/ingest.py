"""Ingestion service: store first, then load, chunk, embed and index.

Order matters for "nothing accepted is lost": the raw bytes are written to the uploads
folder (content-addressed) and a `Source` row is committed before any parsing. A
source is keyed by `client:filename`; the same bytes again change nothing, and changed
bytes replace the old chunks only once the new ones are embedded, so the index never
holds a mix of two versions of one source.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Literal

from sqlmodel import Session, select

from clientloop.container import Container
from clientloop.indexing import FLUSH_CHUNKS, Indexer, Staged, discard_unfinished
from clients.lookup import find_client
from pipeline.documents import SourceKind
from pipeline.errors import DocumentTooLarge
from records.access import new_client_owner, require_kb_writer, require_permission, require_upload_client
from records.errors import CallerError, DuplicateRecord, UnknownClient
from records.ids import content_hash, utcnow
from records.session import session_scope
from records.tables import Client, Source, User

Progress = Callable[[int, int], None]
Outcome = Literal["created", "replaced", "unchanged"]


@dataclass
class IngestResult:
    """What happened to one file."""

    filename: str
    source_id: str
    outcome: Outcome
    chunks: int
    kind: str
    title: str


@dataclass
class BatchReport:
    """Results of a multi-file ingest: good files are kept even when others fail."""

    results: list[IngestResult] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def store_upload(container: Container, data: bytes) -> tuple[str, Path]:
    """Write raw bytes to the content-addressed uploads folder; return (hash, path)."""
    digest = content_hash(data)
    hexpart = digest.split(":", 1)[1]
    folder = container.settings.uploads_dir / hexpart[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hexpart
    if not path.exists():
        # Write-then-rename so a crash never leaves a truncated upload under its final name.
        fd, tmp = tempfile.mkstemp(dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return digest, path


def resolve_client(session: Session, client: str | None, *, create: bool = False,
                   user: User | None = None) -> Client | None:
    """The client an upload is for, by id, CRM external id or exact name; optionally created.

    Raises:
        Forbidden: the user's role may not upload.
        UnknownClient: no such client (and `create` is off), or one outside the user's book.
    """
    if client is None:
        return None
    found = find_client(session, client)
    require_upload_client(user, found, client)
    if found:
        return found
    if not create:
        raise UnknownClient(
            f"unknown client {client!r}; add it first (or pass --create-client / create_client=true)"
        )
    # A client an RM creates by uploading joins that RM's book.
    new = Client(name=client.strip(), relationship_owner=new_client_owner(user))
    session.add(new)
    session.flush()
    return new


def ingest_bytes(
    container: Container,
    data: bytes,
    filename: str,
    *,
    kind: SourceKind | None = None,
    client: str | None = None,
    create_client: bool = False,
    progress: Progress | None = None,
    user: User | None = None,
) -> IngestResult:
    """Store, load, chunk, embed and index one file.

    `client` is an id, CRM external id or exact name; `user` (None: the operator) must be
    allowed to upload for it.

    Raises:
        CallerError: the file is empty, too large, binary, undecodable, malformed or of an
            unsupported type, or the client is unknown. The upload is still stored when
            it was within the size limit, and its source row records the error.
        Forbidden: the user's role may not upload.
    """
    indexer = Indexer(container, progress=progress)
    result = _stage_file(container, indexer, data, filename, kind=kind, client=client, create_client=create_client,
                         user=user)
    indexer.flush()
    return result


def _stage_file(
    container: Container,
    indexer: Indexer,
    data: bytes,
    filename: str,
    *,
    kind: SourceKind | None,
    client: str | None,
    create_client: bool,
    user: User | None = None,
) -> IngestResult:
    """Store the upload and its source row, load and chunk it, and queue it for indexing."""
    digest, path = _check_and_store(container, data, filename, kind=kind, client=client, user=user)
    claim = _Claim(digest, path, len(data), filename)
    try:
        claimed = _claim_source(container, claim, kind=kind, client=client, create_client=create_client, user=user)
    except DuplicateRecord:
        # The same file arrived twice at once and the twin's row committed first: claim again, which finds it.
        claimed = _claim_source(container, claim, kind=kind, client=client, create_client=create_client, user=user)
    return _load_and_queue(container, indexer, data, claim, claimed, kind=kind, client=client, user=user)


def _check_and_store(container: Container, data: bytes, filename: str, *, kind: SourceKind | None,
                     client: str | None, user: User | None) -> tuple[str, Path]:
    """Refuse what can be refused unread, then write the bytes to the uploads folder."""
    settings = container.settings
    if len(data) > settings.max_upload_bytes:
        raise DocumentTooLarge(
            f"file is {len(data):,} bytes, over the {settings.max_upload_bytes:,}-byte limit "
            "(CLIENTLOOP_MAX_UPLOAD_BYTES)",
            filename=filename,
        )
    if client is not None and kind == "kb":
        raise InvalidUpload("a knowledge-base document belongs to no client; drop the client, or upload it as a "
                            "client document (kind note, transcript or email)", filename=filename)
    if user is not None and kind == "kb":
        require_kb_writer(user)
    return store_upload(container, data)


Claimed = IngestResult | tuple[str, str | None, bool]
"""`unchanged`, or (source id, client id, replacing)."""


def _load_and_queue(container: Container, indexer: Indexer, data: bytes, claim: _Claim, claimed: Claimed, *,
                    kind: SourceKind | None, client: str | None, user: User | None) -> IngestResult:
    """Load and chunk a claimed upload and queue it for indexing (a parse error is recorded on its row)."""
    from pipeline.chunking import chunk_document
    from pipeline.loaders import load_document

    if isinstance(claimed, IngestResult):
        return claimed
    settings = container.settings
    source_id, client_id, replacing = claimed
    filename = claim.filename
    try:
        doc = load_document(data, filename, kind=kind, max_bytes=settings.max_upload_bytes)
        if client is not None and doc.kind == "kb":
            # A client's document is never knowledge served to every member of staff.
            doc = doc.model_copy(update={"kind": "note"})
        if user is not None and doc.kind == "kb":
            require_kb_writer(user)
        elif user is not None:
            require_permission(user, "upload")
    except CallerError as exc:
        with session_scope(container.engine) as session:
            row = session.get(Source, source_id)
            if row is not None:
                row.status, row.error = ("ready", None) if replacing else ("rejected", str(exc))
        raise
    chunks = chunk_document(doc, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)
    indexer.add(Staged(source_id=source_id, doc=doc, chunks=chunks, digest=claim.digest,
                       client_id=client_id, replacing=replacing, size_bytes=claim.size, stored_path=str(claim.path)))
    return IngestResult(filename, source_id, "replaced" if replacing else "created", len(chunks), doc.kind,
                        doc.title)


class InvalidUpload(CallerError):
    """The upload's parameters contradict each other."""

    code = "invalid_upload"

    def __init__(self, message: str, *, filename: str | None = None) -> None:
        super().__init__(f"{filename}: {message}" if filename else message)


IN_FLIGHT_SECONDS = 120.0
"""A `received` row younger than this is a concurrent upload still indexing; an older one was abandoned."""


def _in_flight(source: Source) -> bool:
    updated = source.updated_at if source.updated_at.tzinfo else source.updated_at.replace(tzinfo=UTC)
    return source.status == "received" and (utcnow() - updated).total_seconds() < IN_FLIGHT_SECONDS


@dataclass(frozen=True)
class _Claim:
    """A stored upload waiting for its source row."""

    digest: str
    path: Path
    size: int
    filename: str


def _claim_source(container: Container, claim: _Claim, *, kind: SourceKind | None, client: str | None,
                  create_client: bool, user: User | None) -> Claimed:
    """The source row this upload updates (or `unchanged`), in a transaction of its own."""
    with session_scope(container.engine) as session:
        return _claim_in(session, claim, kind=kind, client=client, create_client=create_client, user=user)


def _claim_group(container: Container, claims: Sequence[_Claim], *, kind: SourceKind | None, client: str | None,
                 create_client: bool) -> list[Claimed | CallerError]:
    """The source rows of many uploads in one transaction (one commit instead of one per file)."""
    def attempt() -> list[Claimed | CallerError]:
        out: list[Claimed | CallerError] = []
        with session_scope(container.engine) as session:
            for claim in claims:
                try:
                    out.append(_claim_in(session, claim, kind=kind, client=client, create_client=create_client,
                                         user=None))
                except CallerError as exc:  # raised before the row is touched: the others go on
                    out.append(exc)
        return out

    try:
        return attempt()
    except DuplicateRecord:
        return attempt()  # a concurrent upload committed one of these rows first: claiming again finds it


def _claim_in(session: Session, claim: _Claim, *, kind: SourceKind | None, client: str | None, create_client: bool,
              user: User | None) -> Claimed:
    digest, path, size, filename = claim.digest, claim.path, claim.size, claim.filename
    client_row = resolve_client(session, client, create=create_client, user=user)
    client_id = client_row.id if client_row else None
    key = f"{client_id or '-'}:{filename}"
    existing = session.exec(select(Source).where(Source.key == key)).first()
    if existing is None:
        # The same bytes under another name are the same source: index them once.
        existing = session.exec(
            select(Source).where(Source.content_hash == digest, Source.client_id == client_id,
                                 Source.status == "ready")
        ).first()
    if existing and existing.content_hash == digest and (existing.status == "ready" or _in_flight(existing)):
        # Already indexed, or being indexed right now by a concurrent upload of the same bytes.
        return IngestResult(filename, existing.id, "unchanged", existing.chunk_count, existing.kind,
                            existing.title or filename)
    if existing is None:
        existing = Source(key=key, filename=filename, kind=kind or "kb", client_id=client_id,
                          content_hash=digest, size_bytes=size, stored_path=str(path))
        session.add(existing)
    replacing = existing.status in ("ready", "updating")
    if replacing:
        # The old version stays searchable (and its hash on the row) until the new one is indexed.
        existing.status, existing.updated_at = "updating", utcnow()
    else:
        existing.content_hash, existing.size_bytes, existing.stored_path = digest, size, str(path)
        existing.status, existing.error, existing.updated_at = "received", None, utcnow()
    return existing.id, client_id, replacing


def ingest_paths(
    container: Container,
    paths: Sequence[Path],
    *,
    kind: SourceKind | None = None,
    client: str | None = None,
    create_client: bool = False,
    progress: Progress | None = None,
    on_file: Callable[[str], None] | None = None,
    flush_chunks: int = FLUSH_CHUNKS,
) -> BatchReport:
    """Ingest files and folders (recursively), indexing many documents per batch.

    One bad file does not stop the rest. Sources an earlier, interrupted ingest left
    unfinished are cleaned first; ingesting the same files again then completes them.
    """
    files = expand_paths(paths)
    discard_unfinished(container)
    report = BatchReport()
    indexer = Indexer(container, flush_chunks=flush_chunks, progress=progress)
    first_of: dict[str, int] = {}  # content hash -> index of its first file in `report.results`
    hashes: set[str] = set()
    for begin in range(0, len(files), CLAIM_GROUP):
        stored: list[tuple[Path, bytes, _Claim]] = []
        twins: list[tuple[int, Path, str]] = []
        for path in files[begin : begin + CLAIM_GROUP]:
            if on_file:
                on_file(path.name)
            try:
                data = path.read_bytes()
                if content_hash(data) in hashes:
                    # The same bytes twice in one run: one source, as across runs (no row of its own).
                    twins.append((len(stored), path, content_hash(data)))
                    continue
                digest, stored_at = _check_and_store(container, data, path.name, kind=kind, client=client, user=None)
            except CallerError as exc:
                report.errors.append((str(path), str(exc)))
                continue
            except OSError as exc:
                report.errors.append((str(path), f"cannot read file: {exc.strerror}"))
                continue
            hashes.add(digest)
            stored.append((path, data, _Claim(digest, stored_at, len(data), path.name)))
        claims = _claim_group(container, [c for _, _, c in stored], kind=kind, client=client,
                              create_client=create_client)
        for position, ((path, data, claim), claimed) in enumerate(zip(stored, claims, strict=True)):
            _report_twins(report, first_of, [t for t in twins if t[0] == position])
            try:
                if isinstance(claimed, CallerError):
                    raise claimed
                result = _load_and_queue(container, indexer, data, claim, claimed, kind=kind, client=client,
                                         user=None)
            except CallerError as exc:
                report.errors.append((str(path), str(exc)))
                continue
            first_of[claim.digest] = len(report.results)
            report.results.append(result)
        _report_twins(report, first_of, [t for t in twins if t[0] == len(stored)])
    indexer.flush()
    return report


def _report_twins(report: BatchReport, first_of: dict[str, int], twins: list[tuple[int, Path, str]]) -> None:
    """Files whose bytes an earlier file of the run had: that file's source, `unchanged`."""
    for _, path, digest in twins:
        if digest not in first_of:
            report.errors.append((str(path), "the same bytes as a file rejected above"))
            continue
        t = report.results[first_of[digest]]
        report.results.append(IngestResult(path.name, t.source_id, "unchanged", t.chunks, t.kind, t.title))


CLAIM_GROUP = 64
"""Files whose source rows `ingest_paths` claims in one transaction."""


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus every non-hidden file under named folders, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out
