"""The review queue pages: the queue, one item beside its source, claim and decide.

Decisions mirror the API: each decision form posts the item version it was rendered
with (the API's `If-Match`); `review.decisions.decide` refuses a stale one and changes
nothing, and the page says so. Deciding runs `review.workflow.decide_and_release`, the
function the API and the CLI run: approval is committed first, then released in its own
transaction.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col, select

from clientloop.deps import ContainerDep, SessionDep
from clientloop.web.deps import PageReviewer
from clientloop.web.highlight import evidence_marks, flag_marks, highlight
from clientloop.web.pages import page_router, render
from clientloop.web.session import CsrfChecked
from clients.context import client_context
from records.access import has_permission
from records.session import session_scope
from records.tables import Client, User
from review.claims import claim_blocked
from review.decisions import makers, may_approve
from review.errors import AlreadyClaimed, AlreadyDecided, InvalidDecision, NotAllowed, StaleVersion
from review.models import PENDING, STATUSES, claim_holder

router = page_router()

STALE_MESSAGE = "This draft changed since you opened it; reload the page to see the current version."
"""Shown when a decision names a version that is no longer current (the API's 412)."""

PAGE_SIZE = 25
_NOTICES = {
    "approve": "Approved.", "reject": "Rejected; nothing was released.", "edit": "Saved as a new version.",
    "claim": "Claimed: other reviewers will leave this item to you.",
    "unclaim": "Claim given back: any reviewer may take this item.",
    "handover": "Handed over: the item is now claimed by the reviewer you chose.",
}
_AGES = (("", "any age"), ("1", "over 1 hour"), ("24", "over 1 day"), ("72", "over 3 days"), ("168", "over 1 week"))


def _float_or_none(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@router.get("/reviews")
def review_queue(
    request: Request, user: PageReviewer, session: SessionDep, status: str = "", flag: str = "", client: str = "",
    age: str = "", assignee: str = "", page: str = "1",
) -> HTMLResponse:
    """The review queue, oldest first, with filters and pages; an RM sees only their own book."""
    from clients.lookup import client_filter_id
    from review.flags import FLAG_NAMES
    from review.queue import list_queue

    statuses = [status] if status in STATUSES else None
    page_no = int(page) if page.isdigit() and int(page) > 0 else 1
    result = list_queue(session=session, user=user, status=statuses, flag=flag or None,
                        client_id=client_filter_id(session, client), min_age_hours=_float_or_none(age),
                        assignee=assignee or None, page=page_no, page_size=PAGE_SIZE)
    names = {}
    ids = {i.client_id for i in result.items if i.client_id}
    if ids:
        names = {c.id: c.name for c in session.exec(select(Client).where(col(Client.id).in_(ids))).all()}
    filters = {"status": status, "flag": flag, "client": client, "age": age, "assignee": assignee}
    pages = max(1, math.ceil(result.total / PAGE_SIZE))

    def page_url(n: int) -> str:
        return "/ui/reviews?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": n})

    return render(request, "reviews.html.jinja", result=result, names=names, filters=filters,
                  flag_names=FLAG_NAMES, statuses=STATUSES, pending=PENDING, ages=_AGES, pages=pages,
                  prev_url=page_url(page_no - 1) if page_no > 1 else None,
                  next_url=page_url(page_no + 1) if page_no < pages else None, now=datetime.now(UTC))


def render_review(request: Request, session: Session, user: User, review_id: str, *, status_code: int = 200,
                  error: str | None = None, notice: str | None = None,
                  edit_state: dict[str, Any] | None = None, kept: dict[str, str] | None = None) -> HTMLResponse:
    """The review page; after an error, with the form values the reviewer sent kept."""
    from clientloop.web import draft_form as df
    from clientloop.web.versions import draft_versions
    from review.decisions import lineage_participants
    from review.models import ReviewItem
    from review.queue import show_item

    shown = show_item(session=session, review_id=review_id, user=user)
    item, content, text = shown["item"], shown["content"], shown["source_text"]
    marks = evidence_marks(shown["evidence"], text) + flag_marks(shown["flags"], text)
    pending = item.status in PENDING
    approve_blocked = may_approve(item, user, makers(session, item)) if pending else None
    holder = claim_holder(item)
    decide_blocked = None
    if pending and holder and holder != user.name and not has_permission(user, "override_claims"):
        decide_blocked = f"{holder} holds the claim until {item.claim_expires_at:%H:%M UTC}; ask them to " \
                         "unclaim or hand it over"
    approve_blocked = approve_blocked or decide_blocked
    recap = session.exec(select(ReviewItem).where(ReviewItem.parent_review_id == item.id)).first()
    client = session.get(Client, item.client_id) if item.client_id else None
    return render(
        request, "review.html.jinja", status_code=status_code, error=error, notice=notice, item=item,
        draft=shown["draft"], content=content, source=shown["source"], source_html=highlight(text, marks),
        evidence=shown["evidence"], decisions=shown["decisions"], client=client,
        pending=pending, recap=recap, approve_blocked=approve_blocked,
        client_facts=client_context(session, item.client_id),
        can_claim=pending and claim_blocked(session, item, user) is None,
        claim_why=claim_blocked(session, item, user) if pending and has_permission(user, "check") else None,
        holder=holder, can_release_claim=bool(holder) and (holder == user.name or has_permission(user,
                                                                                             "override_claims")),
        handover_to=_handover_candidates(session, item, user) if holder else [],
        decide_blocked=decide_blocked,
        edit=edit_state if edit_state is not None else df.form_state(content), edit_open=edit_state is not None,
        owners=df.owner_choices(lineage_participants(session, item), content, text) if pending else [],
        action_types=df.ACTION_TYPE_CHOICES, due_kinds=df.DUE_KINDS, summary_lists=df.SUMMARY_LISTS, vocab=df.VOCAB,
        versions=draft_versions(session, item), kept=kept or {},
        flag_groups=_flag_groups(shown["flags"], {m.anchor for m in marks if m.css == "flag"}),
        holds=json.loads(item.holds_json),
    )


def _handover_candidates(session: Session, item: Any, user: User) -> list[str]:
    """Active reviewers, other than the holder, who could approve the item."""
    holder = claim_holder(item)
    if holder != user.name and not has_permission(user, "override_claims"):
        return []
    item_makers = makers(session, item)
    return [u.name for u in session.exec(select(User).where(User.active == True)  # noqa: E712
                                         .order_by(User.name)).all()
            if u.name != holder and has_permission(u, "check") and may_approve(item, u, item_makers) is None]


def _flag_groups(flags: list[Any], marked: set[str | None]) -> list[dict[str, Any]]:
    """One line per flag: its reason in words, then the spans that raised it (source anchors, draft quotes)."""
    from review.explain import flag_reasons

    anchors = {(f.where, f.start, f.end): f"flag-{i}" for i, f in enumerate(flags, start=1) if f"flag-{i}" in marked}
    groups = []
    for reason in flag_reasons(flags):
        rules = sorted({s.rule_id for s in reason.spans})
        source = [(anchors.get((s.where, s.start, s.end)), s.matched or "") for s in reason.spans
                  if s.where == "source"]
        draft = list(dict.fromkeys(s.matched for s in reason.spans if s.where != "source" and s.matched))
        groups.append({"flag": reason.flag, "severity": reason.severity, "reason": reason.reason,
                       "rule_id": ", ".join(rules), "origin": "model" if rules == ["model"] else "rule",
                       "source": source, "draft": draft})
    return groups


@router.get("/reviews/{review_id}")
def review_page(review_id: str, request: Request, user: PageReviewer, session: SessionDep,
                done: str = "") -> HTMLResponse:
    """A draft beside its source: evidence marked, flag reasons, decisions and the forms to decide."""
    return render_review(request, session, user, review_id, notice=_NOTICES.get(done))


def _claim_step(request: Request, container: Any, user: User, review_id: str, step: Any,
                done: str) -> Response:
    """Run one claim change in its own transaction; errors come back on the page, not as a bare 4xx."""
    try:
        with session_scope(container.engine) as session:
            item_id = step(session).id
    except StaleVersion:
        with Session(container.engine) as session:
            return render_review(request, session, user, review_id, status_code=412, error=STALE_MESSAGE)
    except (NotAllowed, AlreadyClaimed, InvalidDecision, AlreadyDecided) as exc:
        with Session(container.engine) as session:
            return render_review(request, session, user, review_id, status_code=exc.status_code, error=str(exc))
    return RedirectResponse(f"/ui/reviews/{item_id}?done={done}", status_code=303)


@router.post("/reviews/{review_id}/claim", dependencies=[CsrfChecked])
def claim_review(review_id: str, request: Request, user: PageReviewer, container: ContainerDep,
                 version: Annotated[int, Form()]) -> Response:
    """Claim an item (reviewers and admins); it lapses after `CLIENTLOOP_CLAIM_MINUTES`."""
    from review.claims import claim

    minutes = container.settings.claim_minutes
    return _claim_step(request, container, user, review_id, lambda s: claim(
        session=s, review_id=review_id, user=user, expected_version=version, hold_minutes=minutes), "claim")


@router.post("/reviews/{review_id}/unclaim", dependencies=[CsrfChecked])
def unclaim_review(review_id: str, request: Request, user: PageReviewer, container: ContainerDep,
                   version: Annotated[int, Form()]) -> Response:
    """Give a claim back (the holder, or an admin)."""
    from review.claims import unclaim

    return _claim_step(request, container, user, review_id, lambda s: unclaim(
        session=s, review_id=review_id, user=user, expected_version=version), "unclaim")


@router.post("/reviews/{review_id}/handover", dependencies=[CsrfChecked])
def hand_over_review(review_id: str, request: Request, user: PageReviewer, container: ContainerDep,
                     version: Annotated[int, Form()], to: Annotated[str, Form(max_length=200)]) -> Response:
    """Hand a claim to another reviewer (the holder, or an admin)."""
    from review.claims import hand_over

    minutes = container.settings.claim_minutes
    return _claim_step(request, container, user, review_id, lambda s: hand_over(
        session=s, review_id=review_id, user=user, to=to, expected_version=version, hold_minutes=minutes),
        "handover")


def _decision_from_form(kind: str, reason: str) -> Any:
    from review.decisions import parse_decision

    if kind == "edit":
        raise InvalidDecision("edit the draft with the form under “Edit the draft”")
    body: dict[str, Any] = {"kind": kind}
    if reason.strip() or kind == "reject":
        body["reason"] = reason
    return parse_decision(body)


@router.post("/reviews/{review_id}/decide", dependencies=[CsrfChecked])
def decide_review(
    review_id: str, request: Request, user: PageReviewer, container: ContainerDep,
    kind: Annotated[str, Form()], version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Approve or reject (with a reason) the version the form showed; approval then releases."""
    from review.workflow import decide_and_release

    try:
        outcome = decide_and_release(engine=container.engine, review_id=review_id, user=user,
                                     decision=_decision_from_form(kind, reason), expected_version=version)
    except (StaleVersion, AlreadyDecided, NotAllowed, InvalidDecision) as exc:
        message = STALE_MESSAGE if isinstance(exc, StaleVersion) else str(exc)
        with Session(container.engine) as session:
            return render_review(request, session, user, review_id, status_code=exc.status_code, error=message,
                                kept={f"{kind}_reason": reason})
    item_id = outcome.item.id
    if outcome.release_error:
        error = (f"Approved, but release failed ({outcome.release_error}). The approval stands; retry with "
                 "POST /v1/reviews/{id}/release or `clientloop review release`.")
        with Session(container.engine) as session:
            return render_review(request, session, user, item_id, status_code=500, error=error)
    return RedirectResponse(f"/ui/reviews/{item_id}?done={kind}", status_code=303)
