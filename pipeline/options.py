"""The options the pipeline's builders and engines read, as typed interfaces.

The pipeline never imports the application's settings. Each builder declares the few
values it needs as a `Protocol`; the composition root's `Settings` satisfies all of them,
and a test or a script can pass any object with those attributes (a dataclass, a
`SimpleNamespace`). Attribute names match the settings so one object serves every part.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

from pydantic import SecretStr


class ModelLimits(Protocol):
    """How hard an engine tries, and how much text fits one model call."""

    @property
    def llm_max_retries(self) -> int:
        """Retries on timeouts, rate limits and 5xx, with backoff."""

    @property
    def llm_context_tokens(self) -> int:
        """The model's context window; longer inputs are split or trimmed to fit."""

    @property
    def redact_model_input(self) -> bool:
        """Redact client data before it goes to the model (`pipeline.redaction`)."""


class ChatModelOptions(Protocol):
    """Where the OpenAI-protocol chat model is and how to call it."""

    @property
    def llm_base_url(self) -> str | None:
        """The endpoint's base URL (None: the default OpenAI endpoint)."""

    @property
    def llm_model(self) -> str:
        """The served model's name."""

    @property
    def llm_api_key(self) -> SecretStr:
        """The endpoint's key."""

    @property
    def llm_timeout_s(self) -> float:
        """Seconds before one call is abandoned."""

    @property
    def llm_temperature(self) -> float:
        """Sampling temperature."""

    @property
    def llm_max_output_tokens(self) -> int:
        """Cap on one answer's length."""

    @property
    def llm_max_retries(self) -> int:
        """Retries on timeouts, rate limits and 5xx."""


class EmbeddingOptions(Protocol):
    """Which embedding model to build."""

    @property
    def embedding_provider(self) -> Literal["onnx", "openai", "sentence-transformers"]:
        """`onnx` (local, default), `openai` or `sentence-transformers`."""

    @property
    def embedding_model(self) -> str:
        """The model name for `openai` / `sentence-transformers`."""

    @property
    def embedding_batch_size(self) -> int:
        """Texts per embedding call."""

    @property
    def llm_base_url(self) -> str | None:
        """The OpenAI-protocol endpoint (shared with the chat model)."""

    @property
    def llm_api_key(self) -> SecretStr:
        """The endpoint's key."""

    @property
    def llm_timeout_s(self) -> float:
        """Seconds before one call is abandoned."""

    @property
    def llm_max_retries(self) -> int:
        """Retries on timeouts, rate limits and 5xx."""


class ChromaOptions(Protocol):
    """Where the vector store is."""

    @property
    def chroma_mode(self) -> Literal["embedded", "server"]:
        """`embedded` (a folder) or `server` (a Chroma server)."""

    @property
    def resolved_chroma_path(self) -> Path:
        """The embedded store's folder."""

    @property
    def chroma_host(self) -> str:
        """The Chroma server's host."""

    @property
    def chroma_port(self) -> int:
        """The Chroma server's port."""

    @property
    def chroma_collection(self) -> str:
        """The collection name."""
