"""Test doubles shared by the whole suite.

`FakeChatModel` stands in for any LangChain chat model. It replays a queue of
responses (AI messages, plain strings, or exceptions to raise) and records every prompt
and the tools bound for it, so tests assert on what the model *saw* as well as on what
came back. LangChain's ``GenericFakeChatModel`` cannot bind tools, which
``with_structured_output(method="function_calling")`` needs.

Build tool-call replies with `tool_reply`:

    model = FakeChatModel(responses=[
        openai_rate_limit(),
        tool_reply(LLMAnswer, {"sentences": [], "not_found": True}),
    ])
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from typing import Any

import httpx2
import openai
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import BaseModel, Field

_ids = count(1)


class FakeChatModel(BaseChatModel):
    """A chat model that replays queued responses and records every prompt."""

    responses: list[Any] = Field(default_factory=list)
    """Queue of `AIMessage`, `str` (a text reply), `BaseException` (raised) or a callable taking the
    messages and returning one of those (a model that answers what it was asked)."""
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    """Every message list the model received, in order."""
    call_kwargs: list[dict[str, Any]] = Field(default_factory=list)
    """The keyword arguments (tools, tool_choice, ...) of every call."""

    @property
    def _llm_type(self) -> str:
        return "fake-chat-model"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[Any, AIMessage]:
        from langchain_core.utils.function_calling import convert_to_openai_tool

        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        self.call_kwargs.append(kwargs)
        if not self.responses:
            raise AssertionError(f"FakeChatModel ran out of responses after {len(self.prompts) - 1} call(s)")
        response = self.responses.pop(0)
        if callable(response) and not isinstance(response, (BaseException, BaseMessage)):
            response = response(messages)
        if isinstance(response, BaseException):
            raise response
        message = AIMessage(content=response) if isinstance(response, str) else response
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def calls(self) -> int:
        """How many requests the model received (including those that raised)."""
        return len(self.prompts)

    def prompt_text(self, index: int = -1) -> str:
        """All message contents of one recorded prompt, joined by blank lines."""
        return "\n\n".join(str(m.content) for m in self.prompts[index])


def tool_reply(
    schema: type[BaseModel] | str,
    args: dict[str, Any],
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
) -> AIMessage:
    """An AI message that calls the structured-output tool ``schema`` with ``args``."""
    name = schema if isinstance(schema, str) else schema.__name__
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}],
        usage_metadata={
            "input_tokens": prompt_tokens,
            "output_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    )


def broken_tool_reply(schema: type[BaseModel] | str, raw_arguments: str) -> AIMessage:
    """An AI message whose tool-call arguments are not valid JSON."""
    name = schema if isinstance(schema, str) else schema.__name__
    return AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": name,
                "args": raw_arguments,
                "id": f"call_{next(_ids)}",
                "error": "invalid JSON",
                "type": "invalid_tool_call",
            }
        ],
    )


def _request() -> httpx2.Request:
    return httpx2.Request("POST", "http://model.test/v1/chat/completions")


def openai_rate_limit() -> openai.RateLimitError:
    """The error the OpenAI client raises on HTTP 429."""
    response = httpx2.Response(429, request=_request(), json={"error": {"message": "slow down"}})
    return openai.RateLimitError("rate limited", response=response, body=None)


def openai_server_error(status: int = 503) -> openai.InternalServerError:
    """The error the OpenAI client raises on HTTP 5xx."""
    response = httpx2.Response(status, request=_request(), json={"error": {"message": "busy"}})
    return openai.InternalServerError("server error", response=response, body=None)


def openai_timeout() -> openai.APITimeoutError:
    """The error the OpenAI client raises when a request times out."""
    return openai.APITimeoutError(request=_request())


def openai_auth_error() -> openai.AuthenticationError:
    """The error the OpenAI client raises on HTTP 401 (not retried)."""
    response = httpx2.Response(401, request=_request(), json={"error": {"message": "bad key"}})
    return openai.AuthenticationError("bad key", response=response, body=None)
