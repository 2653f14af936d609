"""The review queue: list, show beside the source, claim, decide, release.

Responses about one item carry its version as the `ETag`; decisions must send it back
as `If-Match` (412 when stale, 428 when missing). An approval is committed first and
released in its own transaction right after; if release fails, the approval stands and
`POST /v1/reviews/{id}/release` retries it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from clientloop.api.auth import CheckerUser, ReviewUser
from clientloop.api.errors import responses
from clientloop.deps import ContainerDep, DatabaseDep, SessionDep
from clients.context import client_context
from clients.lookup import client_filter_id
from records.tables import User
from review.decisions import Approve, DecisionBody, Edit, Reject
from review.errors import InvalidDecision
from review.explain import FlagReason, flag_reasons
from review.models import Decision, FlagRecord, ReviewItem, claim_holder
from review.release import ReleaseOutcome

router = APIRouter(prefix="/v1/reviews", tags=["review"])

Status = Literal["awaiting_author", "in_review", "approved", "rejected", "released"]


class ReviewSummary(BaseModel):
    """A review item as the queue lists it."""

    id: str
    lineage_id: str
    kind: str = Field(description="interaction_summary or client_message.")
    status: Status
    client_id: str | None
    author: str | None
    flags: list[str] = Field(description="Flag names on the lineage; empty when unflagged.")
    holds: list[str] = Field(default_factory=list, description="Hold reasons that are not flags, e.g. "
                             "instruction_in_text; any hold means a checker must decide.")
    requires_checker: bool = Field(description="A reviewer who is not the author must approve.")
    required_role: str | None
    assignee: str | None = Field(description="Who holds a live claim; None when unclaimed or the claim lapsed.")
    claim_expires_at: datetime | None = Field(default=None, description="When the live claim lapses.")
    current_draft_id: str
    version: int = Field(description="Send it back as If-Match with a decision.")
    created_at: datetime
    updated_at: datetime


class ReviewPage(BaseModel):
    """One page of the review queue."""

    items: list[ReviewSummary]
    total: int
    page: int
    page_size: int


class FlagView(BaseModel):
    """A flag with its reason: the rule (or model) and the matched span."""

    flag: str
    rule_id: str
    severity: str
    reason: str | None
    where: str = Field(description="source or draft.")
    origin: str = Field(description="rule or model.")
    start: int | None
    end: int | None
    matched: str | None
    draft_id: str


class HoldView(BaseModel):
    """Why the item is held for a checker apart from its flags (e.g. text addressed to an AI), with the span."""

    reason: str = Field(description="The hold reason, e.g. instruction_in_text.")
    rule_id: str
    where: str = Field(description="source, draft, hidden, filename, title or participant.")
    field: str | None = Field(description="The draft field, participant or hidden fragment holding the span.")
    start: int
    end: int
    matched: str = Field(description="Exactly the span's text (invisible characters included).")
    revealed: str = Field(description="What the span says once hidden characters are decoded.")
    carrier: str = Field(description="How it arrived: text, quoted history, tag characters, html_comment...")
    explanation: str


class EvidenceSpan(BaseModel):
    """Where an action's evidence sits in the source (for highlighting)."""

    action: int
    text: str
    start: int | None
    end: int | None
    found: bool


class DecisionView(BaseModel):
    """A recorded decision."""

    id: str
    kind: str
    actor: str
    actor_role: str
    reason: str | None
    draft_id: str
    seen_version: int
    diff: list[dict[str, Any]] | None = Field(description="An edit's RFC 6902 JSON Patch from the previous version.")
    created_at: datetime


class ClientFact(BaseModel):
    """One fact from the client record a reviewer must see beside the draft."""

    kind: Literal["restriction", "watch", "complaint", "case"]
    text: str
    since: date | None
    ref: str = Field(description="The watch item or service case id.")


class ReviewDetail(BaseModel):
    """A review item: the current draft beside its source, evidence spans, flags and decisions."""

    review: ReviewSummary
    draft_version: int
    content: dict[str, Any]
    source_id: str
    source_text: str
    evidence: list[EvidenceSpan]
    flags: list[FlagView]
    flag_reasons: list[FlagReason] = Field(default_factory=list, description=(
        "One entry per flag: a reason in words quoting the sentence, and every span behind it."))
    holds: list[HoldView] = Field(default_factory=list)
    decisions: list[DecisionView]
    client_facts: list[ClientFact] = Field(default_factory=list, description=(
        "The client's active restrictions, open complaints, open cases and watch items, most binding first."))


class ReleaseView(BaseModel):
    """What release produced."""

    review_id: str
    status: Status
    version: int = Field(description="The item's version (ETag) after release.")
    created: bool = Field(description="False when this item had been released before.")
    record_id: str | None = None
    action_ids: list[str] = Field(default_factory=list)
    outbox_id: str | None = None
    recap_review_id: str | None = Field(default=None, description="The client recap drafted for approval.")


class DecisionResult(BaseModel):
    """The outcome of a decision, and of the release it triggered."""

    review: ReviewSummary
    decision: DecisionView
    release: ReleaseView | None = None
    release_error: str | None = Field(default=None, description="Why release failed; retry it.")


def _facts(session: Any, client_id: str | None) -> list[Any]:
    ctx = client_context(session, client_id)
    return ctx.restrictions + ctx.complaints + ctx.cases + ctx.watch


def summary_of(item: ReviewItem) -> ReviewSummary:
    """The public view of a review item (or of a row with its columns, as the queue's read paths give)."""
    holder = claim_holder(item)
    return ReviewSummary(
        id=item.id, lineage_id=item.lineage_id, kind=item.kind, status=item.status,  # type: ignore[arg-type]
        client_id=item.client_id, author=item.author, flags=json.loads(item.flags_json),
        holds=sorted({h["reason"] for h in json.loads(item.holds_json)}),
        requires_checker=item.requires_checker, required_role=item.required_role, assignee=holder,
        claim_expires_at=item.claim_expires_at if holder else None,
        current_draft_id=item.current_draft_id, version=item.version, created_at=item.created_at,
        updated_at=item.updated_at,
    )


def json_response(body: BaseModel, headers: dict[str, str] | None = None) -> Response:
    """`body` serialised once, as FastAPI would (the route's `response_model` still documents it)."""
    return Response(body.__pydantic_serializer__.to_json(body), media_type="application/json", headers=headers)


def decision_view(row: Decision) -> DecisionView:
    """The public view of a decision."""
    return DecisionView(id=row.id, kind=row.kind, actor=row.actor, actor_role=row.actor_role, reason=row.reason,
                        draft_id=row.draft_id, seen_version=row.seen_version,
                        diff=json.loads(row.diff_json) if row.diff_json else None, created_at=row.created_at)


def flag_view(row: FlagRecord) -> FlagView:
    """The public view of a flag."""
    return FlagView(flag=row.flag, rule_id=row.rule_id, severity=row.severity, reason=row.reason, where=row.where,
                    origin=row.origin, start=row.start, end=row.end, matched=row.matched, draft_id=row.draft_id)


def hold_view(hold: dict[str, Any]) -> HoldView:
    """The public view of a stored hold."""
    return HoldView(reason=hold["reason"], rule_id=hold["rule_id"], where=hold["where"], field=hold.get("field"),
                    start=hold["start"], end=hold["end"], matched=hold["text"], revealed=hold["revealed"],
                    carrier=hold["carrier"], explanation=hold["explanation"])


def parse_if_match(value: str | None) -> int | None:
    """The version in an `If-Match` header (`"3"`, `W/"3"` or `3`); None when absent."""
    if value is None or not value.strip():
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    try:
        return int(raw)
    except ValueError:
        raise InvalidDecision(f"If-Match must be the item's ETag, e.g. \"3\", not {value[:20]!r}") from None


def _etag(response: Response, item: ReviewItem) -> None:
    response.headers["ETag"] = f'"{item.version}"'


@router.get("", response_model=ReviewPage, responses=responses(401, 403))
async def list_reviews(
    db: DatabaseDep,
    user: ReviewUser,
    status: Annotated[list[Status] | None, Query(description="Default: awaiting_author and in_review.")] = None,
    flag: Annotated[str | None, Query(description="Only items with this flag.")] = None,
    client: Annotated[str | None, Query(description="Client id, CRM external id or exact name.")] = None,
    min_age_hours: Annotated[float | None, Query(ge=0, le=876_000,
                                                 description="Only items at least this old (up to 100 years).")] = None,
    assignee: Annotated[str | None, Query(description="Claimed by this user; 'none' for unclaimed.")] = None,
    kind: Annotated[Literal["interaction_summary", "client_message"] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The review queue, oldest first; an RM sees only their own book."""
    return await db.read(_review_page, user=user, status=list(status) if status else None, flag=flag, client=client,
                         min_age_hours=min_age_hours, assignee=assignee, kind=kind, page=page, page_size=page_size)


def _review_page(session: Session, /, *, user: User, client: str | None, **filters: Any) -> Response:
    from review.queue import list_queue

    result = list_queue(session=session, user=user, client_id=client_filter_id(session, client), rows=True, **filters)
    return json_response(ReviewPage.model_construct(items=[summary_of(i) for i in result.items], total=result.total,
                                                    page=result.page, page_size=result.page_size))


@router.get("/{review_id}", responses=responses(401, 403, 404))
async def show_review(review_id: str, db: DatabaseDep, user: ReviewUser, response: Response) -> ReviewDetail:
    """A draft beside its source, with evidence spans, flag reasons and decisions."""
    detail = await db.read(_review_detail, review_id, user)
    response.headers["ETag"] = f'"{detail.review.version}"'
    return detail


def _review_detail(session: Session, /, review_id: str, user: User) -> ReviewDetail:
    from review.queue import show_item

    shown = show_item(session=session, review_id=review_id, user=user)
    item = shown["item"]
    return ReviewDetail(
        review=summary_of(item), draft_version=shown["draft"].version, content=shown["content"],
        source_id=item.source_id, source_text=shown["source_text"],
        evidence=[EvidenceSpan(**e) for e in shown["evidence"]], flags=[flag_view(f) for f in shown["flags"]],
        flag_reasons=flag_reasons(shown["flags"]),
        holds=[hold_view(h) for h in json.loads(item.holds_json)],
        decisions=[decision_view(d) for d in shown["decisions"]],
        client_facts=[ClientFact(**vars(line)) for line in _facts(session, item.client_id)],
    )


@router.post("/{review_id}/claim", responses=responses(401, 403, 404, 409, 412))
def claim_review(
    review_id: str, session: SessionDep, user: CheckerUser, container: ContainerDep, response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> ReviewSummary:
    """Claim an item so other reviewers leave it alone (it lapses after `CLIENTLOOP_CLAIM_MINUTES`)."""
    from review.claims import claim

    item = claim(session=session, review_id=review_id, user=user, expected_version=parse_if_match(if_match),
                 hold_minutes=container.settings.claim_minutes)
    _etag(response, item)
    return summary_of(item)


@router.delete("/{review_id}/claim", responses=responses(401, 403, 404, 409, 412, 422))
def unclaim_review(
    review_id: str, session: SessionDep, user: CheckerUser, response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> ReviewSummary:
    """Give a claim back (the holder, or an admin) so any reviewer may take the item."""
    from review.claims import unclaim

    item = unclaim(session=session, review_id=review_id, user=user, expected_version=parse_if_match(if_match))
    _etag(response, item)
    return summary_of(item)


class HandOver(BaseModel):
    """Whom to hand a claimed item to."""

    to: str = Field(min_length=1, max_length=200, description="A reviewer who may approve the item.")


@router.post("/{review_id}/handover", responses=responses(401, 403, 404, 409, 412, 422))
def hand_over_review(
    review_id: str, body: HandOver, session: SessionDep, user: CheckerUser, container: ContainerDep,
    response: Response, if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> ReviewSummary:
    """Hand a claim to another reviewer (the holder, or an admin)."""
    from review.claims import hand_over

    item = hand_over(session=session, review_id=review_id, user=user, to=body.to,
                     expected_version=parse_if_match(if_match), hold_minutes=container.settings.claim_minutes)
    _etag(response, item)
    return summary_of(item)


@router.post("/{review_id}/decisions", responses=responses(401, 403, 404, 409, 412, 422, 428))
def decide_review(
    review_id: str,
    container: ContainerDep,
    user: ReviewUser,
    response: Response,
    decision: Annotated[Approve | Edit | Reject, Body(discriminator="kind")],
    if_match: Annotated[str | None, Header(alias="If-Match", description="The ETag you saw.")] = None,
) -> DecisionResult:
    """Approve, edit (a new version) or reject; approval then releases the item."""
    from review.workflow import decide_and_release

    _ = DecisionBody  # the body is this discriminated union
    outcome = decide_and_release(engine=container.engine, review_id=review_id, user=user, decision=decision,
                                 expected_version=parse_if_match(if_match))
    result = DecisionResult(review=summary_of(outcome.item), decision=decision_view(outcome.decided.decision),
                            release=release_view(outcome.released) if outcome.released else None,
                            release_error=outcome.release_error)
    response.headers["ETag"] = f'"{outcome.item.version}"'
    return result


def release_view(out: ReleaseOutcome) -> ReleaseView:
    """The public view of what release produced."""
    return ReleaseView(
        review_id=out.item.id, status=out.item.status, version=out.item.version,  # type: ignore[arg-type]
        created=out.created,
        record_id=out.record.id if out.record else None, action_ids=[a.id for a in out.actions or []],
        outbox_id=out.outbox.id if out.outbox else None, recap_review_id=out.recap.id if out.recap else None,
    )


@router.post("/{review_id}/release", responses=responses(401, 403, 404, 409))
def release_review(review_id: str, container: ContainerDep, user: ReviewUser, response: Response) -> ReleaseView:
    """Release an approved item (idempotent): record and actions, or outbox message."""
    from review.workflow import release_in_own_transaction

    view = release_view(release_in_own_transaction(engine=container.engine, review_id=review_id, user=user))
    response.headers["ETag"] = f'"{view.version}"'
    return view
