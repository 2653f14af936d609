"""Batched indexing: chunks of many documents embedded, upserted and committed together.

Ingesting one document at a time spent most of its time on work that batches well: an
embedding call per document's few chunks (short, badly padded batches), a Chroma upsert
and a database commit per document. The `Indexer` collects whole documents until it holds
`flush_chunks` chunks (2,048 by default), then embeds them all at once (the embedding model sorts them by
length, so batches pad little), upserts them in one call and writes every source's chunk
rows and `ready` status in one transaction.

"A killed ingest leaves no half-indexed source" holds because a flush only ever holds
whole documents and the database marks them ready after their vectors are stored. A new
source whose flush never committed is still `received`; a changed source is `updating`
from the moment it is staged until its old vectors are deleted, and its row names the
version that is complete (the old hash before the commit, the new one after it).
`discard_unfinished` removes the vectors of every other version, and the next ingest of
the same files indexes what is missing, under the same deterministic chunk ids.

Each batch is embedded and upserted in a thread of its own while the indexer's thread loads
and claims the next files and commits the previous batch's rows (the model releases the
GIL); a batch's rows are committed once its upsert has returned, so the order
vectors-then-ready holds, and at most two batches are in memory at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import col, delete, select

from knowledge.keyword_index import KeywordRow, index_chunks, unindex_sources
from records.ids import utcnow
from records.session import session_scope
from records.tables import Chunk, Source

if TYPE_CHECKING:
    from clientloop.container import Container
    from pipeline.chunking import Chunk as TextChunk
    from pipeline.documents import LoadedDocument

Progress = Callable[[int, int], None]

FLUSH_CHUNKS = 2048
"""Chunks the indexer collects before it embeds them.

The model pads each batch to its longest text, so the more texts it can sort by length the
less it pads. On the bench's 1,000 synthetic documents (3,970 chunks, 216,370 real tokens)
flushing every 256 chunks fed the model 271,592 padded tokens, 23% more than sorting them
all at once (220,022); every 2,048 chunks feeds it 223,158 (1.4% more). A flush holds only
texts and 384-float vectors (a few MB), and the progress bar moves once per flush.
"""

UNFINISHED = ("received", "updating")
"""Source statuses whose newest version is not (yet) fully indexed."""


@dataclass
class Staged:
    """A loaded, chunked document waiting for its vectors."""

    source_id: str
    doc: LoadedDocument
    chunks: list[TextChunk]
    digest: str
    client_id: str | None
    replacing: bool
    size_bytes: int
    stored_path: str

    @property
    def chunk_ids(self) -> list[str]:
        """Deterministic ids: the same version of a source always gets the same ids."""
        tag = self.digest.split(":", 1)[1][:12]
        return [f"{self.source_id}:{tag}:{c.ordinal}" for c in self.chunks]

    def metadatas(self) -> list[dict[str, Any]]:
        """The vector store metadata of each chunk."""
        return [
            {
                "source_id": self.source_id, "source_title": self.doc.title, "kind": self.doc.kind,
                "client_id": self.client_id, "heading": c.heading, "speaker": c.speaker,
                "start": c.start, "end": c.end, "ordinal": c.ordinal, "content_hash": self.digest,
                "filename": self.doc.filename,
            }
            for c in self.chunks
        ]


class Indexer:
    """Buffers staged documents and indexes them in large batches."""

    def __init__(self, container: Container, *, flush_chunks: int = FLUSH_CHUNKS,
                 progress: Progress | None = None) -> None:
        """Prepare an empty buffer.

        Args:
            container: Where the embeddings, the vector store and the database are.
            flush_chunks: Index once the buffer holds at least this many chunks.
            progress: Called with (chunks indexed, chunks seen so far) after each flush.
        """
        self.container = container
        self.flush_chunks = max(1, flush_chunks)
        self.progress = progress
        self._buffer: list[Staged] = []
        self._buffered = 0
        self._pending: _Index | None = None
        self.seen = 0
        self.indexed = 0

    def add(self, staged: Staged) -> None:
        """Queue one document; flush when the buffer is full (the batch then indexes while the next one fills)."""
        self._buffer.append(staged)
        self._buffered += len(staged.chunks)
        self.seen += len(staged.chunks)
        if self._buffered >= self.flush_chunks:
            self._flush(wait=False)

    def flush(self) -> None:
        """Embed, upsert and commit everything buffered; return once all of it is committed."""
        self._flush(wait=True)

    def _flush(self, *, wait: bool) -> None:
        batch, self._buffer, self._buffered = self._buffer, [], 0
        previous, self._pending = self._pending, None
        if previous is not None:
            previous.join()  # its vectors are stored
            if any(s.replacing for s in previous.batch):
                # Its old vectors go only after its commit: finish it before the store is written again.
                self._finish(previous)
                previous = None
        if batch:
            self._pending = _Index(self.container, batch)
        if previous is not None:
            self._finish(previous)  # its rows commit while the model embeds this batch
        if wait:
            self._finish_pending()

    def _finish_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.join()
            self._finish(pending)

    def _finish(self, done: _Index) -> None:
        """Commit the rows of a batch whose vectors are stored (in this thread), then drop replaced versions."""
        batch = done.batch
        _commit(self.container, batch)
        replaced = [s for s in batch if s.replacing]
        for staged in replaced:
            # The new version is stored and recorded; only now may the old one go.
            self.container.store.delete_source(staged.source_id, keep_hash=staged.digest)
        if replaced:
            _mark_ready(self.container, [s.source_id for s in replaced])
        self.indexed += done.chunks
        if self.progress:
            self.progress(self.indexed, self.seen)


class _Index(threading.Thread):
    """One batch embedded and upserted in a thread of its own, while the indexer's thread goes on.

    Meanwhile the indexer's thread loads and claims the next files and commits the previous
    batch's rows: the model releases the GIL, so that Python work fills the gaps the model
    leaves on the cores. Only the vector store is written here; the database rows are
    committed by the indexer's thread after `join`, so a batch is marked ready only once its
    vectors are stored, and records-database writes never contend across threads.
    """

    def __init__(self, container: Container, batch: list[Staged]) -> None:
        super().__init__(name="index-batch", daemon=False)
        self.container, self.batch = container, batch
        self.chunks = sum(len(s.chunks) for s in batch)
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            ids: list[str] = []
            texts: list[str] = []
            metas: list[dict[str, Any]] = []
            for staged in self.batch:
                ids.extend(staged.chunk_ids)
                texts.extend(c.text for c in staged.chunks)
                metas.extend(staged.metadatas())
            if texts:
                embeddings = self.container.embeddings
                # The local model returns one float32 array; other providers lists of floats.
                vectors = getattr(embeddings, "embed_array", embeddings.embed_documents)(texts)
                self.container.store.upsert(ids, texts, metas, vectors)
        except BaseException as exc:  # re-raised in the indexer's thread by `join`
            self.error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def _commit(container: Container, batch: list[Staged]) -> None:
    with session_scope(container.engine) as session:
        replaced = [s.source_id for s in batch if s.replacing]
        if replaced:
            session.exec(delete(Chunk).where(col(Chunk.source_id).in_(replaced)))
            unindex_sources(session.connection(), replaced)
        # A batch holds many small files: read their source rows and write their keyword rows
        # in one statement each, not one per file.
        sources = {row.id: row for row in session.exec(
            select(Source).where(col(Source.id).in_([s.source_id for s in batch])))}
        session.add_all([Chunk(id=cid, source_id=staged.source_id, ordinal=c.ordinal, start=c.start, end=c.end,
                               heading=c.heading, speaker=c.speaker, text=c.text)
                         for staged in batch for cid, c in zip(staged.chunk_ids, staged.chunks, strict=True)])
        # The keyword index is written in this transaction: it holds exactly the committed versions.
        index_chunks(session.connection(), [
            KeywordRow(cid, staged.source_id, c.text, staged.doc.kind, staged.client_id)
            for staged in batch for cid, c in zip(staged.chunk_ids, staged.chunks, strict=True)
        ])
        for staged in batch:
            row = sources[staged.source_id]
            doc = staged.doc
            row.kind, row.media_type, row.title, row.text = doc.kind, doc.media_type, doc.title, doc.text
            row.meta_json = _meta_json(doc.metadata)
            row.occurred_at = doc.occurred_at
            row.content_hash, row.size_bytes, row.stored_path = staged.digest, staged.size_bytes, staged.stored_path
            # A replaced source stays `updating` (now under its new hash) until its old vectors are gone.
            row.status = "updating" if staged.replacing else "ready"
            row.error, row.chunk_count, row.updated_at = None, len(staged.chunks), utcnow()
            if staged.replacing:
                row.version += 1


def _mark_ready(container: Container, source_ids: list[str]) -> None:
    with session_scope(container.engine) as session:
        for source_id in source_ids:
            row = session.get(Source, source_id)
            if row is not None:
                row.status = "ready"


def _meta_json(metadata: dict[str, str]) -> str:
    import json

    return json.dumps(metadata, sort_keys=True)


def discard_unfinished(container: Container) -> int:
    """Remove vectors an interrupted flush left behind; return how many sources were cleaned.

    A new source that never became ready loses all its vectors and is marked
    `interrupted` (the next ingest of it indexes it afresh); a ready source caught
    mid-update keeps only the vectors of the version the database still holds.
    """
    with session_scope(container.engine) as session:
        rows = session.exec(
            select(Source.id, Source.status, Source.content_hash).where(col(Source.status).in_(UNFINISHED))
        ).all()
    for source_id, status, digest in rows:
        if status == "received":
            container.store.delete_source(source_id)
        else:
            container.store.delete_source(source_id, keep_hash=digest)
    if rows:
        with session_scope(container.engine) as session:
            for source_id, status, _ in rows:
                row = session.get(Source, source_id)
                if row is not None and status == "updating":
                    row.status = "ready"
                elif row is not None:
                    # Not "received" any more: a concurrent upload of the same bytes must not
                    # mistake it for one still being indexed (`ingest._in_flight`).
                    row.status = "interrupted"
    return len(rows)
