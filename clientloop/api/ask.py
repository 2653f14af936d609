"""Knowledge questions with cited answers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from clientloop.api.auth import AnyUser
from clientloop.api.errors import responses
from clientloop.ask import ask
from clientloop.deps import ContainerDep
from clientloop.model_pool import ModelPool
from knowledge.schemas import Answer

router = APIRouter(prefix="/v1", tags=["knowledge"])


class AskRequest(BaseModel):
    """A knowledge question."""

    question: str = Field(min_length=1, max_length=2000, description="The question, in plain words.")
    engine: Literal["rules", "llm"] | None = Field(default=None, description="Override the configured engine.")


@router.post("/ask", responses=responses(401, 422, 502, 503, 504))
async def ask_question(body: AskRequest, request: Request, container: ContainerDep, _user: AnyUser) -> Answer:
    """Answer from the knowledge base with numbered citations, or abstain.

    An answer that needs the model runs in the bounded model pool (503 when it is full,
    504 when the model runs out of time), so a hanging model never holds the threads that
    serve everyone else.
    """
    if container.settings.engine_for(body.engine) == "llm":
        pool: ModelPool = request.app.state.model_pool
        return await pool.run(lambda: ask(container, body.question, engine="llm"))
    return await run_in_threadpool(ask, container, body.question, engine=body.engine)
