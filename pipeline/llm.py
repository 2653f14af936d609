"""The one narrow seam between clientloop and chat models.

Everything that talks to a language model goes through two functions:
`make_chat_model` builds a LangChain ``BaseChatModel`` from settings, and
`invoke_structured` asks it for one Pydantic object. Tests pass any other
``BaseChatModel`` (``tests/fakes.py``) in place of the real one.

Decisions:

- **OpenAI protocol only** (``langchain_openai.ChatOpenAI``): one base URL switches
  between OpenAI, Azure, vLLM, Ollama and a llama.cpp server.
- **Structured output by function calling** (``with_structured_output(schema,
  method="function_calling", include_raw=True)``). Tool calling is the most widely
  implemented form across those servers, and ``include_raw`` keeps the raw message and
  the parsing error, which we need for the repair prompt and for ``last_output``.
- **Two separate budgets.** Transport failures (timeouts, connection errors, 429, 5xx)
  are retried by tenacity with exponential backoff, ``max_retries`` times per request;
  the client's own retries are off (``max_retries=0``) so there is one retry policy.
  After that, `ModelUnavailable`. Invalid output (no tool call, bad JSON, a schema
  violation or a failed ``validate``) gets exactly one repair request quoting the error,
  then `ExtractionFailed`. Output errors are never retried blindly: the same prompt
  would most likely produce the same mistake.
- **The repair message is a user message**, not an assistant tool call followed by a
  tool result: servers differ in how they pair tool-call ids, and a plain message works
  on all of them. The previous output goes in through `to_xml` since it can echo
  uploaded text.
- **No third-party exception crosses this module**: `map_exceptions` turns ``openai`` and
  ``httpx`` errors into `ModelUnavailable`. Non-transient API errors (401, 400, 404) are
  mapped too, without retrying, so callers handle one family.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import httpx2
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential
from tenacity.wait import wait_base

from pipeline.errors import ExtractionFailed, ModelUnavailable
from pipeline.options import ChatModelOptions
from pipeline.prompt_files import RenderedPrompt
from pipeline.serialize import to_xml

# openai 3 (pinned) talks through its own fork of httpx; both may surface from the client.
_HTTPX_TRANSPORT: tuple[type[BaseException], ...] = (httpx.TransportError, httpx2.TransportError)
_HTTPX_ANY: tuple[type[BaseException], ...] = (httpx.HTTPError, httpx2.HTTPError)

__all__ = [
    "DEFAULT_WAIT",
    "TRANSIENT_ERRORS",
    "StructuredResult",
    "invoke_structured",
    "make_chat_model",
    "map_exceptions",
    "prompt_messages",
]

T = TypeVar("T", bound=BaseModel)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
    *_HTTPX_TRANSPORT,
)
"""Errors worth retrying: timeouts, dropped connections, 429 and 5xx."""

_MAPPED_ERRORS: tuple[type[BaseException], ...] = (openai.OpenAIError, *_HTTPX_ANY)

DEFAULT_WAIT: wait_base = wait_random_exponential(multiplier=0.5, max=20)
"""Backoff between transport retries; tests pass ``wait=tenacity.wait_none()``."""

_MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class StructuredResult(Generic[T]):
    """One structured answer from the model and what it cost."""

    parsed: T
    """The validated object."""
    attempts: int
    """Output attempts: 1, or 2 when the repair was needed."""
    calls: int
    """Model requests made, transport retries included."""
    prompt_tokens: int | None
    """Prompt tokens over all calls, or None when the server reports no usage."""
    completion_tokens: int | None
    """Completion tokens over all calls, or None when the server reports no usage."""
    repaired: bool
    """True when the first output was invalid and the repair produced this one."""
    raw_output: str
    """The model's raw output that parsed into `parsed` (tool arguments or text)."""


def make_chat_model(settings: ChatModelOptions, *, max_tokens: int | None = None) -> BaseChatModel:
    """Build the chat model named by the settings.

    Args:
        settings: ``llm_base_url``, ``llm_model``, ``llm_api_key``, ``llm_timeout_s`` and
            ``llm_temperature`` are used.
        max_tokens: Cap on completion tokens (None: `settings.llm_max_output_tokens`).

    Returns:
        A ``ChatOpenAI`` with client-side retries off; `invoke_structured` retries.
    """
    cap = max_tokens if max_tokens is not None else settings.llm_max_output_tokens
    # OpenAI reads `max_completion_tokens`; llama.cpp, vLLM and Ollama servers read `max_tokens`.
    # Sending the latter in the body to self-hosted servers keeps a looping model from
    # filling its whole context (and the caller's time budget).
    extra_body = {"max_tokens": cap} if settings.llm_base_url else None
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        temperature=settings.llm_temperature,
        max_completion_tokens=cap,
        extra_body=extra_body,
    )


def prompt_messages(prompt: RenderedPrompt) -> list[BaseMessage]:
    """The chat messages of a rendered prompt file.

    Args:
        prompt: A prompt rendered by `pipeline.prompt_files.PromptFile.render`.

    Returns:
        ``[SystemMessage, HumanMessage]``.
    """
    return [SystemMessage(prompt.system), HumanMessage(prompt.user)]


@contextmanager
def map_exceptions(attempts: int | Callable[[], int] = 0) -> Iterator[None]:
    """Turn ``openai`` and ``httpx`` exceptions into `ModelUnavailable`.

    Args:
        attempts: Requests made so far, or a callable returning it when the error occurs.

    Yields:
        Nothing; the body runs with the mapping in place.

    Raises:
        ModelUnavailable: Instead of any ``openai.OpenAIError`` or ``httpx.HTTPError``.
    """
    try:
        yield
    except _MAPPED_ERRORS as exc:
        count = attempts() if callable(attempts) else attempts
        kind = "unavailable" if isinstance(exc, TRANSIENT_ERRORS) else "refused the request"
        raise ModelUnavailable(
            f"model server {kind} after {count} attempt(s): {type(exc).__name__}: {exc}", attempts=count
        ) from exc


class _Tally:
    def __init__(self) -> None:
        self.calls = 0
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None

    def add_usage(self, message: AIMessage) -> None:
        usage = message.usage_metadata
        if usage is None:
            return
        self.prompt_tokens = (self.prompt_tokens or 0) + usage.get("input_tokens", 0)
        self.completion_tokens = (self.completion_tokens or 0) + usage.get("output_tokens", 0)


def invoke_structured(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    schema: type[T],
    *,
    max_retries: int,
    validate: Callable[[T], None] | None = None,
    repair_check: Callable[[T], None] | None = None,
    wait: wait_base | None = None,
) -> StructuredResult[T]:
    """Ask the model for one ``schema`` object, with retries and one repair.

    Args:
        model: Any LangChain chat model that supports tool calling.
        messages: The conversation, usually `prompt_messages` of a rendered prompt.
        schema: Pydantic class the output must validate against (sent as the tool).
        max_retries: Transport retries per request (timeouts, 429, 5xx).
        validate: Extra check on the parsed object; raising ``ValueError`` makes the
            output invalid (and triggers the repair).
        repair_check: A check worth the repair but not worth the answer: when the first
            output fails it, the model is asked once to fix it; a repaired output that
            still fails only this check is returned (the caller drops what is wrong, e.g.
            grounding drops an invented quote) rather than failing the whole extraction.
        wait: Backoff between transport retries; default `DEFAULT_WAIT`.

    Returns:
        The parsed object with attempts, calls and token usage.

    Raises:
        ModelUnavailable: The server failed after all retries, or refused the request.
        ExtractionFailed: The output was invalid after the repair attempt.
    """
    runnable = model.with_structured_output(schema, method="function_calling", include_raw=True)
    retrying = Retrying(
        stop=stop_after_attempt(max_retries + 1),
        wait=wait or DEFAULT_WAIT,
        retry=retry_if_exception_type(TRANSIENT_ERRORS),
        reraise=True,
    )
    tally = _Tally()
    conversation = list(messages)
    last_output = ""

    for attempt in (1, 2):
        with map_exceptions(lambda: tally.calls):
            result = _request(runnable, conversation, retrying, tally)
        raw = result.get("raw")
        if isinstance(raw, AIMessage):
            tally.add_usage(raw)
        last_output = _describe_output(raw)
        error = _output_error(result, schema, validate)
        if error is None and attempt == 1:
            error = _check_error(result["parsed"], repair_check)
        if error is None:
            return StructuredResult(
                parsed=result["parsed"],
                attempts=attempt,
                calls=tally.calls,
                prompt_tokens=tally.prompt_tokens,
                completion_tokens=tally.completion_tokens,
                repaired=attempt > 1,
                raw_output=last_output,
            )
        conversation = [*messages, _repair_message(schema, last_output, error)]

    raise ExtractionFailed(
        f"{schema.__name__}: output invalid after one repair: {error}",
        attempts=tally.calls,
        last_output=last_output,
    )


def _check_error(parsed: T, check: Callable[[T], None] | None) -> str | None:
    if check is None:
        return None
    try:
        check(parsed)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError too
        return _truncate(str(exc))
    return None


def _request(runnable: Any, conversation: list[BaseMessage], retrying: Retrying, tally: _Tally) -> Any:
    for attempt in retrying.copy():
        with attempt:
            tally.calls += 1
            return runnable.invoke(conversation)
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover


def _output_error(result: Any, schema: type[T], validate: Callable[[T], None] | None) -> str | None:
    """Why the output is unusable, or None when it is fine."""
    if not isinstance(result, dict):
        return f"unexpected result {type(result).__name__}"
    if result.get("parsing_error") is not None:
        return _truncate(str(result["parsing_error"]))
    parsed = result.get("parsed")
    if parsed is None:
        raw = result.get("raw")
        if isinstance(raw, AIMessage) and raw.invalid_tool_calls:
            return "the tool call arguments were not valid JSON: " + _truncate(
                str(raw.invalid_tool_calls[0].get("error") or raw.invalid_tool_calls[0].get("args"))
            )
        return f"no call to the `{schema.__name__}` tool; reply only by calling it"
    if not isinstance(parsed, schema):
        return f"expected {schema.__name__}, got {type(parsed).__name__}"
    if validate is not None:
        try:
            validate(parsed)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError too
            return _truncate(str(exc))
    return None


def _describe_output(raw: Any) -> str:
    """The raw output as text: the first tool call's arguments, else the message content."""
    if not isinstance(raw, AIMessage):
        return "" if raw is None else str(raw)
    if raw.tool_calls:
        return json.dumps(raw.tool_calls[0]["args"], ensure_ascii=False)
    if raw.invalid_tool_calls:
        return str(raw.invalid_tool_calls[0].get("args") or "")
    return str(raw.text)


def _repair_message(schema: type[BaseModel], last_output: str, error: str) -> HumanMessage:
    return HumanMessage(
        "Your previous output could not be used.\n"
        # Quote a bounded prefix: a looping model's whole answer would overflow a small context.
        + to_xml("previous_output", _truncate(last_output))
        + "\n"
        + to_xml("error", error)
        + f"\nCall the `{schema.__name__}` tool again with corrected arguments that fix this error. "
        "Keep everything else the same."
    )


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_ERROR_CHARS else text[:_MAX_ERROR_CHARS] + " ..."
