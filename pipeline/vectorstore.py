"""The vector-store adapter: the knowledge base and client history in two Chroma collections.

Decisions:

- **Two collections, so a knowledge question needs no filter.** With every chunk in one
  collection, a `kind = "kb"` filter made Chroma evaluate the metadata filter over the whole
  collection and search the HNSW graph for the allowed ids, a cost that grew linearly with
  the collection (386 ms p50 at 100k chunks against 53 ms at 10k). Knowledge-base chunks
  (`kind == "kb"`) now live in `<collection>-kb` and everything else in
  `<collection>-history`; a `{"kind": "kb"}` filter is answered by an unfiltered query of
  the first, a `client_id` or other `kind` filter goes to the second, and a query without
  either searches both and merges by similarity. Keys written by ingest:
  `source_id, source_title, kind, client_id, heading, start, end, ordinal, content_hash`.
- **An old single collection** (a data directory from before the split, named
  `<collection>`) is copied into the two on first open, vectors included, then dropped; no
  re-embedding is needed.
- **We always pass vectors.** The collection is created with `embedding_function=None`:
  Chroma's default embedding function downloads a model at run time, and the embedding model
  is ours to choose (`pipeline.embeddings`). The space is cosine (set through the collection
  `configuration`, which chromadb 1.x prefers over the legacy `hnsw:space` metadata), and
  `query` turns Chroma's cosine distance back into a similarity (`1 - distance`).
- **Embedded or server, same code.** `chroma_mode="embedded"` opens a `PersistentClient` on
  `chroma_path`; `"server"` opens an `HttpClient`. Anonymised telemetry is off in both.
- **Metadata is sanitised here.** Chroma accepts only str/int/float/bool values; `None`
  values are dropped (absent means unknown), anything else is a caller bug (`TypeError`).
- **chromadb errors stop at this seam**: `map_exceptions` re-raises them as `BackendError`.
- **A version token** (`ChunkStore.version`) changes on every write made through this object,
  so in-process caches (the BM25 index) can tell that their snapshot is stale even when the
  count did not change (an upsert that replaces chunks).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.chroma import (
    Metadata,
    MetadataValue,
    Where,
    clean_metadata,
    make_client,
    map_exceptions,
    normalize_where,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from pipeline.options import ChromaOptions

__all__ = ["ChunkStore", "Metadata", "MetadataValue", "ScoredChunk", "StoredChunk", "Where", "clean_metadata",
           "make_client", "map_exceptions", "normalize_where"]

KB_KIND = "kb"
"""The `kind` of knowledge-base chunks; every other kind is client history."""

_PAGE = 1000


class ScoredChunk(NamedTuple):
    """A chunk returned by a vector query."""

    id: str
    text: str
    metadata: Metadata
    similarity: float
    """Cosine similarity to the query vector, in [-1, 1]."""


class StoredChunk(NamedTuple):
    """A chunk as stored (no score)."""

    id: str
    text: str
    metadata: Metadata


class ChunkStore:
    """Chunks with their vectors in two Chroma collections (cosine space): knowledge base, history."""

    def __init__(self, settings: ChromaOptions, *, client: ClientAPI | None = None) -> None:
        """Open (or create) the collections named after `settings.chroma_collection`.

        Args:
            settings: Chroma mode, location and collection name.
            client: An already open Chroma client to use instead of one built from settings.

        Raises:
            BackendError: Chroma could not be opened or the collections created.
        """
        self.client = client if client is not None else make_client(settings)
        self.collection_name = settings.chroma_collection
        with map_exceptions(f"opening collections {self.collection_name!r}"):
            self._parts: dict[str, Collection] = {
                part: self.client.get_or_create_collection(
                    f"{self.collection_name}-{part}",
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None,
                )
                for part in ("kb", "history")
            }
            self._max_batch = max(1, int(self.client.get_max_batch_size()))
        self._writes = itertools.count(1)
        self._version = 0
        self._version_lock = threading.Lock()
        self._split_legacy()

    @classmethod
    def from_settings(cls, settings: ChromaOptions) -> ChunkStore:
        """Open the store the settings describe (embedded or server).

        Args:
            settings: Chroma mode, location and collection name.

        Returns:
            The store.

        Raises:
            BackendError: Chroma could not be opened or reached.
        """
        return cls(settings)

    def _split_legacy(self) -> None:
        """Copy an old single collection into the two, then drop it."""
        with map_exceptions(f"listing collections of {self.collection_name!r}"):
            names = {getattr(c, "name", c) for c in self.client.list_collections()}
        if self.collection_name not in names:
            return
        with map_exceptions(f"splitting the old collection {self.collection_name!r}"):
            legacy = self.client.get_collection(self.collection_name, embedding_function=None)
            offset = 0
            while True:
                page = legacy.get(limit=_PAGE, offset=offset, include=["documents", "metadatas", "embeddings"])
                ids = page["ids"]
                if ids:
                    self.upsert(ids, page["documents"] or [""] * len(ids), page["metadatas"] or [{}] * len(ids),
                                page["embeddings"])  # type: ignore[arg-type]
                if len(ids) < _PAGE:
                    break
                offset += _PAGE
            self.client.delete_collection(self.collection_name)

    @property
    def version(self) -> int:
        """A token that changes on every write made through this store."""
        return self._version

    def _bump(self) -> None:
        with self._version_lock:
            self._version = next(self._writes)

    def _targets(self, where: Where | None) -> list[tuple[Collection, dict[str, Any] | None]]:
        """The collections a filter needs, each with what is left of the filter there."""
        rest = dict(where or {})
        kind = rest.get("kind")
        if kind == KB_KIND:
            del rest["kind"]
            return [(self._parts["kb"], normalize_where(rest))]
        if isinstance(kind, str) or rest.get("client_id") is not None:
            # Knowledge-base chunks never belong to a client.
            return [(self._parts["history"], normalize_where(rest))]
        return [(c, normalize_where(rest)) for c in self._parts.values()]

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Insert or replace chunks (each into the collection of its `kind`).

        Args:
            ids: Chunk ids (unique).
            texts: Chunk texts.
            metadatas: One metadata dict per chunk; `None` values are dropped.
            embeddings: One vector per chunk.

        Raises:
            ValueError: The four sequences differ in length.
            TypeError: A metadata value is not a scalar.
            BackendError: Chroma failed.
        """
        n = len(ids)
        if not (len(texts) == len(metadatas) == len(embeddings) == n):
            raise ValueError("ids, texts, metadatas and embeddings must have the same length")
        if n == 0:
            return
        cleaned = [clean_metadata(m) for m in metadatas]
        import numpy as np

        # One float32 array, sliced per batch: Chroma takes numpy rows as they are (a list of
        # Python floats per vector cost converting every number twice).
        vectors = np.asarray(embeddings, dtype=np.float32)
        for part, collection in self._parts.items():
            rows = [i for i in range(n) if (cleaned[i].get("kind") == KB_KIND) == (part == "kb")]
            other = self._parts["history" if part == "kb" else "kb"]
            with map_exceptions("upsert"):
                for begin in range(0, len(rows), self._max_batch):
                    batch = rows[begin : begin + self._max_batch]
                    other.delete(ids=[ids[i] for i in batch])  # a chunk whose kind changed moves
                    collection.upsert(
                        ids=[ids[i] for i in batch],
                        documents=[texts[i] for i in batch],
                        metadatas=[cleaned[i] for i in batch],
                        embeddings=vectors[batch],
                    )
        self._bump()

    def delete_source(self, source_id: str, *, keep_hash: str | None = None) -> None:
        """Delete every chunk of one source, or every chunk of its other versions.

        Args:
            source_id: The `source_id` metadata value of the chunks to delete.
            keep_hash: If given, chunks whose `content_hash` equals it are kept: re-ingest
                upserts the new version first, then drops the old one with this.

        Raises:
            BackendError: Chroma failed.
        """
        where: dict[str, Any] = {"source_id": source_id}
        if keep_hash is not None:
            where = {"$and": [where, {"content_hash": {"$ne": keep_hash}}]}
        with map_exceptions(f"delete of source {source_id!r}"):
            for collection in self._parts.values():
                collection.delete(where=where)
        self._bump()

    def query(self, vector: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]:
        """The `k` chunks nearest to `vector`, most similar first.

        Args:
            vector: Query embedding (same model as the stored vectors).
            k: How many chunks to return at most.
            where: Metadata equality filter, e.g. `{"kind": "kb"}` (no filter inside the
                knowledge-base collection) or `{"client_id": "c-1"}`.

        Returns:
            `(id, text, metadata, similarity)` tuples; similarity is cosine similarity.

        Raises:
            BackendError: Chroma failed.
        """
        if k < 1:
            return []
        hits: list[ScoredChunk] = []
        for collection, chroma_where in self._targets(where):
            with map_exceptions("query"):
                result = collection.query(
                    query_embeddings=[[float(x) for x in vector]],  # type: ignore[arg-type]
                    n_results=k,
                    where=chroma_where,
                    include=["documents", "metadatas", "distances"],
                )
            docs = (result.get("documents") or [[]])[0]
            metas = (result.get("metadatas") or [[]])[0]
            dists = (result.get("distances") or [[]])[0]
            hits.extend(
                ScoredChunk(cid, doc or "", dict(meta or {}), 1.0 - float(dist))  # type: ignore[arg-type]
                for cid, doc, meta, dist in zip(result["ids"][0], docs, metas, dists, strict=True)
            )
        return sorted(hits, key=lambda h: -h.similarity)[:k]

    def iter_all(self, where: Where | None = None, *, page_size: int = _PAGE) -> Iterator[StoredChunk]:
        """Yield every stored chunk matching `where`, fetched page by page.

        Args:
            where: Metadata equality filter, or `None` for all chunks.
            page_size: Chunks fetched per request.

        Yields:
            `(id, text, metadata)` tuples.

        Raises:
            BackendError: Chroma failed.
        """
        for collection, chroma_where in self._targets(where):
            offset = 0
            while True:
                with map_exceptions("get"):
                    page = collection.get(
                        where=chroma_where, limit=page_size, offset=offset, include=["documents", "metadatas"]
                    )
                ids = page["ids"]
                docs = page.get("documents") or [""] * len(ids)
                metas = page.get("metadatas") or [{}] * len(ids)
                for cid, doc, meta in zip(ids, docs, metas, strict=True):
                    yield StoredChunk(cid, doc or "", dict(meta or {}))  # type: ignore[arg-type]
                if len(ids) < page_size:
                    break
                offset += page_size

    def get_all(self, where: Where | None = None) -> list[StoredChunk]:
        """Every stored chunk matching `where` (paged under the hood).

        Args:
            where: Metadata equality filter, or `None` for all chunks.

        Returns:
            `(id, text, metadata)` tuples.

        Raises:
            BackendError: Chroma failed.
        """
        return list(self.iter_all(where))

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored vectors of some chunks.

        Args:
            ids: Chunk ids; unknown ids are absent from the result.

        Returns:
            Chunk id to vector.

        Raises:
            BackendError: Chroma failed.
        """
        return self.get_with_embeddings(ids)[0]

    def get_with_embeddings(self, ids: Sequence[str]) -> tuple[dict[str, list[float]], list[StoredChunk]]:
        """Some chunks with their stored vectors.

        Args:
            ids: Chunk ids; unknown ids are absent from the result.

        Returns:
            Chunk id to vector, and the chunks (text and metadata).

        Raises:
            BackendError: Chroma failed.
        """
        vectors: dict[str, list[float]] = {}
        chunks: list[StoredChunk] = []
        if not ids:
            return vectors, chunks
        for collection in self._parts.values():
            with map_exceptions("get"):
                page = collection.get(ids=list(ids), include=["embeddings", "documents", "metadatas"])
            found = page["ids"]
            docs = page.get("documents") or [""] * len(found)
            metas = page.get("metadatas") or [{}] * len(found)
            chunks.extend(StoredChunk(cid, doc or "", dict(meta or {}))  # type: ignore[arg-type]
                          for cid, doc, meta in zip(found, docs, metas, strict=True))
            embedded = page.get("embeddings")
            if embedded is not None:
                vectors.update({cid: [float(x) for x in vec] for cid, vec in zip(found, embedded, strict=True)})
        return vectors, chunks

    def count(self) -> int:
        """Number of chunks in both collections.

        Raises:
            BackendError: Chroma failed.
        """
        with map_exceptions("count"):
            return sum(int(c.count()) for c in self._parts.values())
