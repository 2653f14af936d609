"""The vector-store adapter: one Chroma collection holding every chunk.

Decisions:

- **One collection, filtered by metadata.** Knowledge-base chunks and client-history chunks
  live together and are told apart by `kind` / `client_id` metadata, so one index serves
  both the knowledge questions and the client brief. Keys written by ingest:
  `source_id, source_title, kind, client_id, heading, start, end, ordinal, content_hash`.
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
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.errors import BackendError, PipelineError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from pipeline.options import ChromaOptions

MetadataValue = str | int | float | bool
Metadata = dict[str, MetadataValue]
Where = Mapping[str, Any]

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


@contextmanager
def map_exceptions(what: str) -> Iterator[None]:
    """Re-raise chromadb, connection and I/O failures as `BackendError`.

    Args:
        what: Short description of the operation, used in the message.

    Raises:
        BackendError: Wrapping the original exception (kept as `__cause__`).
    """
    try:
        yield
    except PipelineError:
        raise
    except Exception as exc:
        if not _is_backend_exception(exc):
            raise
        raise BackendError(f"Chroma {what} failed: {type(exc).__name__}: {exc}") from exc


def _is_backend_exception(exc: Exception) -> bool:
    import httpx
    from chromadb.errors import ChromaError

    # Chroma reports bad filters, unreachable servers and Rust-side failures as ValueError /
    # RuntimeError; a TypeError or KeyError from our own code must keep its type.
    return isinstance(exc, ChromaError | httpx.HTTPError | OSError | ValueError | RuntimeError)


def clean_metadata(metadata: Mapping[str, Any]) -> Metadata:
    """Drop `None` values and check the rest are Chroma scalar types.

    Args:
        metadata: Metadata as the caller built it.

    Returns:
        A new dict without `None` values.

    Raises:
        TypeError: A value is not str, int, float or bool.
    """
    out: Metadata = {}
    for key, value in metadata.items():
        if value is None:
            continue
        if not isinstance(value, str | int | float | bool):
            raise TypeError(f"metadata {key!r} must be str, int, float or bool, not {type(value).__name__}")
        out[key] = value
    return out


def normalize_where(where: Where | None) -> dict[str, Any] | None:
    """Turn a plain `{key: value, ...}` filter into Chroma's form.

    Chroma wants exactly one top-level key, so several equalities become an `$and`. Filters
    that already use operators (`$and`, `$or`, `{"$in": [...]}`) pass through unchanged.

    Args:
        where: `None`, `{}`, or a metadata filter.

    Returns:
        The Chroma filter, or `None` for no filter.
    """
    if not where:
        return None
    clauses = [{key: value} for key, value in where.items() if value is not None]
    if not clauses:
        return None
    if len(clauses) == 1:
        return clauses[0]
    return {"$and": clauses}


def make_client(settings: ChromaOptions) -> ClientAPI:
    """Open the Chroma client the settings ask for.

    Args:
        settings: `chroma_mode`, and `chroma_path` or `chroma_host` / `chroma_port`.

    Returns:
        An embedded persistent client or an HTTP client, with telemetry off.

    Raises:
        BackendError: Chroma could not be opened or reached.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == "server":
        with map_exceptions(f"connection to {settings.chroma_host}:{settings.chroma_port}"):
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    path = settings.resolved_chroma_path
    with map_exceptions(f"opening {path}"):
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """Chunks with their vectors in one Chroma collection (cosine space)."""

    def __init__(self, settings: ChromaOptions, *, client: ClientAPI | None = None) -> None:
        """Open (or create) the collection named by `settings.chroma_collection`.

        Args:
            settings: Chroma mode, location and collection name.
            client: An already open Chroma client to use instead of one built from settings.

        Raises:
            BackendError: Chroma could not be opened or the collection created.
        """
        self.client = client if client is not None else make_client(settings)
        self.collection_name = settings.chroma_collection
        with map_exceptions(f"opening collection {self.collection_name!r}"):
            self._collection: Collection = self.client.get_or_create_collection(
                self.collection_name,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
            self._max_batch = max(1, int(self.client.get_max_batch_size()))
        self._writes = itertools.count(1)
        self._version = 0
        self._version_lock = threading.Lock()

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

    @property
    def version(self) -> int:
        """A token that changes on every write made through this store."""
        return self._version

    def _bump(self) -> None:
        with self._version_lock:
            self._version = next(self._writes)

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Insert or replace chunks.

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
        vectors = [[float(x) for x in v] for v in embeddings]
        with map_exceptions("upsert"):
            for begin in range(0, n, self._max_batch):
                end = begin + self._max_batch
                self._collection.upsert(
                    ids=list(ids[begin:end]),
                    documents=list(texts[begin:end]),
                    metadatas=cleaned[begin:end],  # type: ignore[arg-type]
                    embeddings=vectors[begin:end],  # type: ignore[arg-type]
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
            self._collection.delete(where=where)
        self._bump()

    def query(self, vector: Sequence[float], k: int, where: Where | None = None) -> list[ScoredChunk]:
        """The `k` chunks nearest to `vector`, most similar first.

        Args:
            vector: Query embedding (same model as the stored vectors).
            k: How many chunks to return at most.
            where: Metadata equality filter, e.g. `{"kind": "kb"}` or `{"client_id": "c-1"}`.

        Returns:
            `(id, text, metadata, similarity)` tuples; similarity is cosine similarity.

        Raises:
            BackendError: Chroma failed.
        """
        if k < 1:
            return []
        with map_exceptions("query"):
            result = self._collection.query(
                query_embeddings=[[float(x) for x in vector]],  # type: ignore[arg-type]
                n_results=k,
                where=normalize_where(where),
                include=["documents", "metadatas", "distances"],
            )
        ids = result["ids"][0]
        docs = (result.get("documents") or [[]])[0]
        metas = (result.get("metadatas") or [[]])[0]
        dists = (result.get("distances") or [[]])[0]
        return [
            ScoredChunk(cid, doc or "", dict(meta or {}), 1.0 - float(dist))  # type: ignore[arg-type]
            for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)
        ]

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
        offset = 0
        chroma_where = normalize_where(where)
        while True:
            with map_exceptions("get"):
                page = self._collection.get(
                    where=chroma_where,
                    limit=page_size,
                    offset=offset,
                    include=["documents", "metadatas"],
                )
            ids = page["ids"]
            docs = page.get("documents") or [""] * len(ids)
            metas = page.get("metadatas") or [{}] * len(ids)
            for cid, doc, meta in zip(ids, docs, metas, strict=True):
                yield StoredChunk(cid, doc or "", dict(meta or {}))  # type: ignore[arg-type]
            if len(ids) < page_size:
                return
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
        if not ids:
            return {}
        with map_exceptions("get"):
            page = self._collection.get(ids=list(ids), include=["embeddings"])
        vectors = page.get("embeddings")
        if vectors is None:
            return {}
        return {cid: [float(x) for x in vec] for cid, vec in zip(page["ids"], vectors, strict=True)}

    def get_with_embeddings(self, ids: Sequence[str]) -> tuple[dict[str, list[float]], list[StoredChunk]]:
        """Some chunks with their stored vectors, in one request.

        Args:
            ids: Chunk ids; unknown ids are absent from the result.

        Returns:
            Chunk id to vector, and the chunks (text and metadata).

        Raises:
            BackendError: Chroma failed.
        """
        if not ids:
            return {}, []
        with map_exceptions("get"):
            page = self._collection.get(ids=list(ids), include=["embeddings", "documents", "metadatas"])
        vectors = page.get("embeddings")
        docs = page.get("documents") or [""] * len(page["ids"])
        metas = page.get("metadatas") or [{}] * len(page["ids"])
        chunks = [
            StoredChunk(cid, doc or "", dict(meta or {}))  # type: ignore[arg-type]
            for cid, doc, meta in zip(page["ids"], docs, metas, strict=True)
        ]
        if vectors is None:
            return {}, chunks
        return {cid: [float(x) for x in vec] for cid, vec in zip(page["ids"], vectors, strict=True)}, chunks

    def count(self) -> int:
        """Number of chunks in the collection.

        Raises:
            BackendError: Chroma failed.
        """
        with map_exceptions("count"):
            return int(self._collection.count())
