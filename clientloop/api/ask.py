"""Knowledge questions with cited answers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from clientloop.api.auth import AnyUser
from clientloop.api.errors import responses
from clientloop.ask import ask
from clientloop.deps import ContainerDep
from knowledge.schemas import Answer

router = APIRouter(prefix="/v1", tags=["knowledge"])


class AskRequest(BaseModel):
    """A knowledge question."""

    question: str = Field(min_length=1, max_length=2000, description="The question, in plain words.")
    engine: Literal["rules", "llm"] | None = Field(default=None, description="Override the configured engine.")


@router.post("/ask", responses=responses(401, 422, 503))
async def ask_question(body: AskRequest, container: ContainerDep, _user: AnyUser) -> Answer:
    """Answer from the knowledge base with numbered citations, or abstain."""
    return await run_in_threadpool(ask, container, body.question, engine=body.engine)
