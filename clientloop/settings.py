"""The one settings class.

Every knob is read here from the environment (prefix ``CLIENTLOOP_``) or an optional
``.env`` file; no other module reads ``os.environ``. Paths are resolved relative to the
data directory so that one variable moves a whole installation.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

EmbeddingProvider = Literal["onnx", "openai", "sentence-transformers"]
Engine = Literal["rules", "llm"]

_PLACEHOLDER_KEYS = {"changeme", "change-me", "sk-xxx", "your-key-here", "placeholder"}


class Settings(BaseSettings):
    """Runtime configuration of clientloop."""

    model_config = SettingsConfigDict(
        env_prefix="CLIENTLOOP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["dev", "test", "prod"] = "dev"
    """Deployment environment; `prod` refuses placeholder secrets."""

    data_dir: Path = Path("./.clientloop")
    """Where the SQLite file, the embedded Chroma store and stored uploads live."""

    database_url: str | None = None
    """SQLAlchemy URL; default is a SQLite file in the data directory."""
    database_pool_size: int = Field(default=10, ge=1, le=200)
    """Database connections each process keeps open (SQLite and PostgreSQL alike)."""
    database_max_overflow: int = Field(default=10, ge=0, le=200)
    """Connections a process may open beyond the pool at a peak, closed again when returned. On PostgreSQL,
    processes x (pool size + overflow), workers included, must stay under the server's `max_connections`."""
    database_pool_timeout_s: float = Field(default=30.0, gt=0, le=600)
    """How long a request waits for a free connection before it fails (503)."""

    chroma_mode: Literal["embedded", "server"] = "embedded"
    """Embedded persistent Chroma (default) or a Chroma server."""
    chroma_path: Path | None = None
    """Embedded Chroma folder; default `<data_dir>/chroma`."""
    chroma_host: str = "127.0.0.1"
    """Chroma server host (with `chroma_mode=server`)."""
    chroma_port: int = 8000
    """Chroma server port (with `chroma_mode=server`)."""
    chroma_collection: str = "clientloop"
    """Collection holding every chunk (knowledge base and client history)."""

    embedding_provider: EmbeddingProvider = "onnx"
    """`onnx` (local all-MiniLM-L6-v2, default), `openai` or `sentence-transformers`."""
    embedding_model: str = "text-embedding-3-small"
    """Model name for the `openai` or `sentence-transformers` providers."""
    embedding_batch_size: int = Field(default=16, ge=1, le=4096)
    """Texts per embedding call (16 measured fastest for the local model on 2 cores, and 1/2.5 the memory of 64)."""

    engine: Engine = "rules"
    """Drafting and answering engine: `rules` (no network) or `llm`."""
    engines: Annotated[list[Engine] | None, NoDecode] = None
    """Engines a request may ask for, e.g. `CLIENTLOOP_ENGINES=rules,llm`; default: only `engine`. A request
    for any other gets 422, so nobody can send client text to a model the operator did not enable."""
    model_pool_size: int = Field(default=4, ge=1, le=64)
    """Model calls a server process makes at once for requests (LLM answers); more get 503 at once."""
    redact_model_input: bool = True
    """Replace account numbers, card numbers, names and other client data with placeholders before text goes
    to the model (mapped back in its answer). Turn off only for a model endpoint the firm runs itself."""
    llm_base_url: str | None = None
    """OpenAI-protocol base URL (OpenAI, Azure, vLLM, Ollama, llama.cpp server)."""
    llm_model: str = "gpt-4o-mini"
    """Chat model name."""
    llm_api_key: SecretStr = SecretStr("not-needed")
    """API key for the OpenAI-protocol server."""
    llm_timeout_s: float = Field(default=60.0, gt=0)
    """Per-request timeout."""
    llm_max_retries: int = Field(default=3, ge=0, le=10)
    """Retries on timeouts, rate limits and 5xx (tenacity, exponential backoff)."""
    llm_context_tokens: int = Field(default=8192, ge=512)
    """Context window of the model; long transcripts are split to fit."""
    llm_temperature: float = 0.0
    """Sampling temperature."""
    llm_max_output_tokens: int = Field(default=1024, ge=16)
    """Cap on tokens per model answer, so a looping model cannot fill its context."""

    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    """Largest accepted upload; bigger ones get HTTP 413."""
    chunk_chars: int = Field(default=1200, ge=200)
    """Target chunk size in characters."""
    chunk_overlap: int = Field(default=200, ge=0)
    """Characters shared by consecutive chunks of one section."""

    retrieval_k: int = Field(default=5, ge=1, le=50)
    """Passages handed to the answerer."""
    abstain_threshold: float = 0.45
    """Answers whose best evidence scores below this abstain."""

    kb_requires_approval: bool = True
    """A knowledge-base change by a person waits for a second knowledge user or admin (false: small teams)."""
    drafting_workers: int = Field(default=1, ge=0, le=32)
    """Drafting workers `clientloop serve` runs in its own process (0: a separate `clientloop worker` fleet)."""
    claim_minutes: float = Field(default=240.0, gt=0, le=7 * 24 * 60)
    """How long a reviewer's claim on a review item lasts before others may take it."""

    # --- Access and audit (keys, web sessions, database roles, audit checkpoints) ---
    api_key_days: int = Field(default=90, ge=0)
    """Days a new or rotated API key stays valid (`users add/rotate --expires-in-days` overrides; 0 = never)."""
    api_key_cache_s: float = Field(default=2.0, ge=0, le=60)
    """Seconds an API server process trusts a key it has checked before reading its user again; a revoke,
    rotation or role change made in another process (`clientloop users revoke`) takes effect within this
    (at once in the process that made it). 0: read the user on every request."""
    web_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    """Lifetime of a web sign-in; a session never outlives its user's key."""
    database_owner_url: str | None = None
    """URL migrations run with (the owner role); default `database_url`."""
    database_app_role: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    """PostgreSQL role every application connection switches to (`SET ROLE`), e.g. `clientloop_app`."""
    database_app_role_login: bool = False
    """Create `clientloop_app` with LOGIN (give it a password yourself) instead of NOLOGIN."""
    audit_key_file: Path | None = None
    """HMAC key for audit checkpoints; default `clientloop-audit.key` beside (not in) the data directory."""
    audit_checkpoint_file: Path | None = None
    """Append-only JSON lines of signed chain heads; default `clientloop-audit-checkpoints.jsonl` beside the key."""
    audit_checkpoint_every: int = Field(default=100, ge=1)
    """The worker writes a checkpoint after this many new audit events ..."""
    audit_checkpoint_seconds: float = Field(default=3600.0, gt=0)
    """... or this long after the last one, whichever comes first (only when the chain grew)."""

    @field_validator("engines", mode="before")
    @classmethod
    def _split_engines(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check_engines(self) -> Settings:
        if self.engine not in self.enabled_engines:
            raise ValueError(f"CLIENTLOOP_ENGINE={self.engine} is not in CLIENTLOOP_ENGINES="
                             f"{','.join(self.enabled_engines)}; enable it or choose another default")
        key = self.llm_api_key.get_secret_value().strip().lower()
        if "llm" in self.enabled_engines and not self.llm_base_url and key in _PLACEHOLDER_KEYS | {"", "not-needed"}:
            raise ValueError("the llm engine is enabled but neither CLIENTLOOP_LLM_BASE_URL nor a real "
                             "CLIENTLOOP_LLM_API_KEY is set: set the base URL of your model server (client text "
                             "would otherwise go to the public OpenAI endpoint), or a real key to use OpenAI")
        return self

    @property
    def enabled_engines(self) -> tuple[Engine, ...]:
        """The engines requests may use."""
        return tuple(self.engines) if self.engines else (self.engine,)

    def engine_for(self, requested: str | None) -> Engine:
        """The engine a request runs with: its own choice if enabled, else the default.

        Raises:
            EngineDisabled: the request asked for an engine this server has not enabled.
        """
        from pipeline.errors import EngineDisabled

        engine = requested or self.engine
        if engine not in self.enabled_engines:
            raise EngineDisabled(f"the {engine} engine is not enabled on this server (enabled: "
                                 f"{', '.join(self.enabled_engines)}); an operator can enable it with "
                                 f"CLIENTLOOP_ENGINES")
        return engine

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        key = self.llm_api_key.get_secret_value().strip().lower()
        if self.env == "prod" and self.engine == "llm" and key in _PLACEHOLDER_KEYS:
            raise ValueError("CLIENTLOOP_LLM_API_KEY holds a placeholder; set a real key for env=prod")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'clientloop.db').resolve()}"

    @property
    def resolved_chroma_path(self) -> Path:
        """The embedded Chroma folder."""
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def resolved_audit_key_file(self) -> Path:
        """The checkpoint HMAC key: outside the data directory, so a copy of the data is not a copy of the key."""
        return self.audit_key_file or self.data_dir.resolve().parent / "clientloop-audit.key"

    @property
    def resolved_audit_checkpoint_file(self) -> Path:
        """The checkpoint log (JSON lines, appended to, never rewritten)."""
        return self.audit_checkpoint_file or self.resolved_audit_key_file.parent / "clientloop-audit-checkpoints.jsonl"

    @property
    def uploads_dir(self) -> Path:
        """Where accepted uploads are stored, by content hash, before processing."""
        return self.data_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()
