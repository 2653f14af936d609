"""Ingestion service: store first, then load, chunk, embed and index.

Order matters for "nothing accepted is lost": the raw bytes are written to the uploads
folder (content-addressed) and a `Source` row is committed before any parsing. A
source is keyed by `client:filename`; the same bytes again change nothing, and changed
bytes replace the old chunks only once the new ones are embedded, so the index never
holds a mix of two versions of one source.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlmodel import Session, col, delete, select

from clientloop.container import Container
from pipeline.documents import LoadedDocument, SourceKind
from pipeline.errors import DocumentTooLarge
from records.errors import CallerError, UnknownClient
from records.ids import content_hash, utcnow
from records.session import session_scope
from records.tables import Chunk, Client, Source

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


def resolve_client(session: Session, client: str | None, *, create: bool = False) -> Client | None:
    """Find a client by id or exact name; optionally create it; raise `UnknownClient` otherwise."""
    if client is None:
        return None
    found = session.get(Client, client) or session.exec(select(Client).where(Client.name == client)).first()
    if found:
        return found
    if not create:
        raise UnknownClient(
            f"unknown client {client!r}; add it first (or pass --create-client / create_client=true)"
        )
    new = Client(name=client)
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
) -> IngestResult:
    """Store, load, chunk, embed and index one file.

    Raises:
        InputError: the file is empty, too large, binary, undecodable, malformed or of an
            unsupported type, or the client is unknown. The upload is still stored when
            it was within the size limit, and its source row records the error.
    """
    from pipeline.loaders import load_document

    settings = container.settings
    if len(data) > settings.max_upload_bytes:
        raise DocumentTooLarge(
            f"file is {len(data):,} bytes, over the {settings.max_upload_bytes:,}-byte limit "
            "(CLIENTLOOP_MAX_UPLOAD_BYTES)",
            filename=filename,
        )
    digest, path = store_upload(container, data)
    with session_scope(container.engine) as session:
        client_row = resolve_client(session, client, create=create_client)
        client_id = client_row.id if client_row else None
        key = f"{client_id or '-'}:{filename}"
        existing = session.exec(select(Source).where(Source.key == key)).first()
        if existing is None or existing.content_hash != digest:
            # The same bytes under another name are the same source: index them once.
            twin = session.exec(
                select(Source).where(Source.content_hash == digest, Source.client_id == client_id,
                                     Source.status == "ready")
            ).first()
            if twin is not None and existing is None:
                existing = twin
        if existing and existing.content_hash == digest and existing.status == "ready":
            return IngestResult(filename, existing.id, "unchanged", existing.chunk_count, existing.kind,
                                existing.title or filename)
        if existing is None:
            existing = Source(key=key, filename=filename, kind=kind or "kb", client_id=client_id,
                              content_hash=digest, size_bytes=len(data), stored_path=str(path))
            session.add(existing)
        source_id = existing.id
        replacing = existing.status == "ready"
        if not replacing:
            existing.content_hash, existing.size_bytes, existing.stored_path = digest, len(data), str(path)
            existing.status, existing.error, existing.updated_at = "received", None, utcnow()

    try:
        doc = load_document(data, filename, kind=kind, max_bytes=settings.max_upload_bytes)
    except CallerError as exc:
        if not replacing:
            with session_scope(container.engine) as session:
                row = session.get(Source, source_id)
                if row is not None:
                    row.status, row.error = "rejected", str(exc)
        raise

    count = index_document(container, source_id, doc, digest, client_id, progress=progress)
    with session_scope(container.engine) as session:
        row = session.get(Source, source_id)
        assert row is not None
        row.kind, row.media_type, row.title, row.text = doc.kind, doc.media_type, doc.title, doc.text
        row.meta_json = json.dumps(doc.metadata, sort_keys=True)
        row.occurred_at = doc.occurred_at
        row.content_hash, row.size_bytes, row.stored_path = digest, len(data), str(path)
        row.status, row.error, row.chunk_count, row.updated_at = "ready", None, count, utcnow()
        if replacing:
            row.version += 1
    return IngestResult(filename, source_id, "replaced" if replacing else "created", count, doc.kind, doc.title)


def index_document(
    container: Container,
    source_id: str,
    doc: LoadedDocument,
    digest: str,
    client_id: str | None,
    *,
    progress: Progress | None = None,
) -> int:
    """Chunk, embed in batches and upsert; then drop the previous version's chunks."""
    from pipeline.chunking import chunk_document

    settings = container.settings
    chunks = chunk_document(doc, max_chars=settings.chunk_chars, overlap=settings.chunk_overlap)
    version_tag = digest.split(":", 1)[1][:12]
    ids = [f"{source_id}:{version_tag}:{c.ordinal}" for c in chunks]
    batch = settings.embedding_batch_size
    done = 0
    for lo in range(0, len(chunks), batch):
        part = chunks[lo : lo + batch]
        vectors = container.embeddings.embed_documents([c.text for c in part])
        metas = [
            {
                "source_id": source_id, "source_title": doc.title, "kind": doc.kind,
                "client_id": client_id, "heading": c.heading, "speaker": c.speaker,
                "start": c.start, "end": c.end, "ordinal": c.ordinal, "content_hash": digest,
                "filename": doc.filename,
            }
            for c in part
        ]
        container.store.upsert(ids[lo : lo + batch], [c.text for c in part], metas, vectors)
        done += len(part)
        if progress:
            progress(done, len(chunks))
    container.store.delete_source(source_id, keep_hash=digest)
    with session_scope(container.engine) as session:
        session.exec(delete(Chunk).where(col(Chunk.source_id) == source_id))
        for cid, c in zip(ids, chunks, strict=True):
            session.add(Chunk(id=cid, source_id=source_id, ordinal=c.ordinal, start=c.start, end=c.end,
                              heading=c.heading, speaker=c.speaker, text=c.text))
    return len(chunks)


def ingest_paths(
    container: Container,
    paths: Sequence[Path],
    *,
    kind: SourceKind | None = None,
    client: str | None = None,
    create_client: bool = False,
    progress: Progress | None = None,
    on_file: Callable[[str], None] | None = None,
) -> BatchReport:
    """Ingest files and folders (recursively); one bad file does not stop the rest."""
    report = BatchReport()
    for path in expand_paths(paths):
        if on_file:
            on_file(path.name)
        try:
            data = path.read_bytes()
            report.results.append(
                ingest_bytes(container, data, path.name, kind=kind, client=client,
                             create_client=create_client, progress=progress)
            )
        except CallerError as exc:
            report.errors.append((str(path), str(exc)))
        except OSError as exc:
            report.errors.append((str(path), f"cannot read file: {exc.strerror}"))
    return report


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus every non-hidden file under named folders, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out
