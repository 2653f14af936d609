"""Chroma plumbing shared by the vector-store adapter: client, error mapping, metadata and filters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pipeline.errors import BackendError, PipelineError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from pipeline.options import ChromaOptions

MetadataValue = str | int | float | bool
Metadata = dict[str, MetadataValue]
Where = Mapping[str, Any]


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
