"""The home page and knowledge questions."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from clientloop.deps import ContainerDep
from clientloop.web.pages import page_router, render
from clientloop.web.session import CsrfChecked, PageUser

router = page_router()


@router.get("/")
def home(request: Request, user: PageUser) -> HTMLResponse:
    """What the signed-in user can do, by role."""
    return render(request, "home.html.jinja")


@router.get("/ask")
def ask_form(request: Request, user: PageUser) -> HTMLResponse:
    """The knowledge question form."""
    return render(request, "ask.html.jinja", question="", answer=None, answer_html=None)


@router.post("/ask", dependencies=[CsrfChecked])
async def ask_question(request: Request, user: PageUser, container: ContainerDep,
                       question: Annotated[str, Form()] = "") -> HTMLResponse:
    """Answer a question from the knowledge base with numbered citations, or abstain.

    With the llm engine the answer runs in the bounded model pool, like the API's.
    """
    from clientloop.ask import ask

    if container.settings.engine_for(None) == "llm":
        answer = await request.app.state.model_pool.run(lambda: ask(container, question))
    else:
        answer = await run_in_threadpool(ask, container, question)
    # Escape first, then link the [n] markers to their citations (the pattern matches digits only).
    cited = {c.id for c in answer.citations}
    answer_html = Markup(re.sub(
        r"\[(\d+)\]", lambda m: f'<a href="#cite-{m[1]}">[{m[1]}]</a>' if int(m[1]) in cited else m[0],
        str(escape(answer.answer)),
    ))
    return render(request, "ask.html.jinja", question=question, answer=answer, answer_html=answer_html)
