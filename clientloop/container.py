"""The composition root: one object that owns settings, the database and lazy heavy parts.

The CLI and the HTTP app each build one `Container`. Heavy libraries (onnxruntime,
chromadb, langchain, SQLAlchemy) are imported only when a feature first needs them, which
keeps `clientloop --help` and `clientloop ask` fast.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from clientloop.settings import Settings, get_settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel
    from sqlalchemy.engine import Engine

    from knowledge.retrieval import HybridRetriever
    from pipeline.vectorstore import ChunkStore


class Container:
    """Lazily built services shared by one process."""

    def __init__(self, settings: Settings | None = None, *, chat_model: Any = None) -> None:
        self.settings = settings or get_settings()
        self._chat_model = chat_model
        self._lock = threading.Lock()
        self._migrated = False

    @cached_property
    def engine(self) -> Engine:
        """The database engine, migrated to head on first use."""
        # Imported here: a knowledge question needs no database, and SQLAlchemy with the
        # tables costs a `clientloop ask` a fifth of a second.
        from clientloop.db import migrated_engine

        return migrated_engine(self.settings)

    @cached_property
    def embeddings(self) -> Embeddings:
        """The one embedding object every chain uses."""
        from pipeline.embeddings import make_embeddings

        return make_embeddings(self.settings)

    @cached_property
    def store(self) -> ChunkStore:
        """The Chroma adapter."""
        from pipeline.vectorstore import ChunkStore

        return ChunkStore.from_settings(self.settings)

    @cached_property
    def retriever(self) -> HybridRetriever:
        """Vector + keyword retrieval over the chunk store."""
        from knowledge.keyword_index import KeywordIndex
        from knowledge.retrieval import HybridRetriever

        keyword = KeywordIndex(self.engine)
        return HybridRetriever(self.store, self.embeddings, k=self.settings.retrieval_k, keyword_index=keyword)

    @property
    def chat_model(self) -> BaseChatModel:
        """The OpenAI-protocol chat model (or the test double handed in)."""
        with self._lock:
            if self._chat_model is None:
                from pipeline.llm import make_chat_model

                self._chat_model = make_chat_model(self.settings)
            return self._chat_model  # type: ignore[no-any-return]
