"""The draft editor's route: the form becomes an `Edit` and takes the path every edit takes.

The posted form is turned into the whole draft (`clientloop.web.draft_form`) and decided
by `review.workflow.decide_and_release`, the function the API and the CLI run, so the
schema, grounding, policy and maker-checker rules are the ones in `review/`. An error
brings the page back with the form as typed and the message beside its field; "Add an
action row" brings it back with one empty row more and decides nothing.
"""

from __future__ import annotations

import json

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from clientloop.deps import ContainerDep
from clientloop.web.deps import PageReviewer
from clientloop.web.draft_form import add_row, content_from_state, form_errors, place_errors, posted_state
from clientloop.web.pages import page_router
from clientloop.web.reviews import STALE_MESSAGE, render_review
from clientloop.web.session import CsrfChecked
from records.tables import Draft, User
from review.errors import AlreadyDecided, InvalidDecision, NotAllowed, StaleVersion

router = page_router()


def _edit(request: Request, container: ContainerDep, user: User, review_id: str, form: dict[str, str]) -> Response:
    from review.decisions import parse_decision
    from review.queue import get_item
    from review.workflow import decide_and_release

    state = posted_state(form)
    version = int(form["version"]) if form.get("version", "").isdigit() else None
    with Session(container.engine) as session:
        item = get_item(session=session, review_id=review_id, user=user)
        if "add_row" in form or "add_person" in form:
            added = add_row(state, "person" if "add_person" in form else "action")
            return render_review(request, session, user, review_id, edit_state=added)
        refused = form_errors(state)
        if refused:
            state.update(errors=refused, general=[])
            return render_review(request, session, user, review_id, status_code=422, edit_state=state,
                                 error="The draft was not saved: fix the fields marked in the editor below.")
        current = session.get(Draft, item.current_draft_id)
        assert current is not None
        content = content_from_state(json.loads(current.content_json), state)
    try:
        decision = parse_decision({"kind": "edit", "content": content, "reason": state["reason"].strip() or None})
        outcome = decide_and_release(
            engine=container.engine, review_id=review_id, user=user, decision=decision, expected_version=version
        )
    except (StaleVersion, AlreadyDecided, NotAllowed, InvalidDecision) as exc:
        if isinstance(exc, InvalidDecision):
            state = place_errors(state, str(exc), exc.problems)
        message = STALE_MESSAGE if isinstance(exc, StaleVersion) else str(exc)
        if isinstance(exc, InvalidDecision) and state["errors"] and not state["general"]:
            message = "The draft was not saved: fix the fields marked in the editor below."
        with Session(container.engine) as session:
            return render_review(
                request, session, user, review_id, status_code=exc.status_code, error=message, edit_state=state
            )
    return RedirectResponse(f"/ui/reviews/{outcome.item.id}?done=edit", status_code=303)


@router.post("/reviews/{review_id}/edit", dependencies=[CsrfChecked])
async def edit_review(review_id: str, request: Request, user: PageReviewer, container: ContainerDep) -> Response:
    """Save the editor's form as the next draft version (or add an empty action row)."""
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    return await run_in_threadpool(_edit, request, container, user, review_id, form)
