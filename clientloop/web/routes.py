"""The `/ui` pages: one route per page or form, each a thin call into the services the API uses.

Design decisions:

- **Errors become pages, not JSON.** `PageRoute` catches the domain errors the services
  raise and renders them with the status code the API would give (`status_for`): a
  record outside an RM's book is the same 404 page as one that does not exist. A page
  that needs sign-in redirects to the form; a failed CSRF check is a 403 page.
- **Decisions mirror the API.** Each decision form posts the item version it was
  rendered with (the API's `If-Match`); `review.decisions.decide` refuses a stale one
  and changes nothing, and the page says so. Approval is committed first, then released
  in its own transaction, exactly as `POST /v1/reviews/{id}/decisions` does.
- **Post/redirect/get.** A successful POST redirects (303) to the page showing the
  result, with a fixed notice code in the query string (never free text to reflect).
- Every response carries a strict Content-Security-Policy (no scripts at all), refuses
  framing and is not cached: the pages show client data.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from sqlmodel import Session, col, select

from clientloop.api.deps import ContainerDep, SessionDep
from clientloop.api.errors import status_for
from clientloop.web import TEMPLATE_DIR
from clientloop.web.highlight import evidence_marks, flag_marks, highlight
from clientloop.web.session import (
    CSRF_FIELD,
    CsrfChecked,
    CsrfFailed,
    PageDecider,
    PageUploader,
    PageUser,
    SignInRequired,
    csrf_token,
    set_csrf_cookie,
    sign_in,
    sign_out,
    user_for_key,
)
from records.errors import ClientloopError, NotFound
from records.session import session_scope
from records.tables import Client, User
from review.errors import StaleVersion
from review.models import PENDING, STATUSES

STALE_MESSAGE = "This draft changed since you opened it; reload the page to see the current version."
"""Shown when a decision names a version that is no longer current (the API's 412)."""

_NOTICES = {
    "approve": "Approved.", "reject": "Rejected; nothing was released.", "edit": "Saved as a new version.",
    "claim": "Claimed: other reviewers will leave this item to you.",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ROLE_NAMES = ("relationship_manager", "client", "service_agent", "operations", "compliance",
               "investment_specialist", "assistant", "other")
_AGES = (("", "any age"), ("1", "over 1 hour"), ("24", "over 1 day"), ("72", "over 3 days"), ("168", "over 1 week"))
PAGE_SIZE = 25


def _environment() -> Environment:
    # Autoescape for every template whatever its file name (Jinja's default only covers `.html`).
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _when
    env.filters["pretty"] = lambda v: v.replace("_", " ") if isinstance(v, str) else v
    return env


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; every template gets the user, the CSRF token and the current path."""
    token = csrf_token(request)
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("notice", None)
    context.setdefault("error", None)
    response = templates.TemplateResponse(request, name, {"csrf": token, "csrf_field": CSRF_FIELD,
                                                          "path": request.url.path, **context},
                                          status_code=status_code)
    if getattr(request.state, "new_csrf", None):
        set_csrf_cookie(request, response, request.state.new_csrf)
    return response


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html.jinja", status_code=status, title=title, message=message)


def _next_path(value: str | None) -> str:
    # Only a local /ui path: never an open redirect.
    if value and value.startswith("/ui") and not value.startswith("//") and "\\" not in value:
        return value
    return "/ui/"


class PageRoute(APIRoute):
    """A route whose domain errors render as HTML pages and whose responses carry the security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler FastAPI builds (dependencies included) with the page error handling."""
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = RedirectResponse("/ui/login?" + urlencode({"next": target}), status_code=303)
            except CsrfFailed:
                response = _error_page(request, 403, "Form expired",
                                       "This form was not accepted (it expired or came from another site). "
                                       "Go back, reload the page and try again.")
            except RequestValidationError as exc:
                fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
                response = _error_page(request, 422, "Something is missing",
                                       "Check these fields and try again: " + (", ".join(fields) or "the form"))
            except ClientloopError as exc:
                status, _code = status_for(exc)
                title = {401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "Already done",
                         412: "Changed since you opened it", 413: "Too large", 415: "Unsupported file"}
                response = _error_page(request, status, title.get(status, "Could not do that"), str(exc))
            for name, value in _SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return run


router = APIRouter(prefix="/ui", include_in_schema=False, route_class=PageRoute)


# --- Sign-in --------------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    """The sign-in form."""
    return render(request, "login.html.jinja", next=_next_path(next))


@router.post("/login", dependencies=[CsrfChecked])
def login(request: Request, container: ContainerDep, key: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/ui/") -> Response:  # noqa: A002
    """Check the API key and set the sign-in cookie."""
    user = user_for_key(container, key)
    if user is None:
        return render(request, "login.html.jinja", status_code=401, next=_next_path(next),
                      error="That key is not valid (unknown, revoked or mistyped).")
    response = RedirectResponse(_next_path(next), status_code=303)
    sign_in(request, response, container, user)
    return response


@router.get("/logout")
def logout_form(request: Request) -> HTMLResponse:
    """A page with the sign-out button (signing out is a POST, so another site cannot trigger it)."""
    return render(request, "logout.html.jinja")


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, container: ContainerDep) -> Response:
    """End the session and clear the sign-in cookies."""
    response = RedirectResponse("/ui/login", status_code=303)
    sign_out(request, response, container)
    return response


# --- Home and knowledge questions ------------------------------------------------------------------


@router.get("/")
def home(request: Request, user: PageUser) -> HTMLResponse:
    """What the signed-in user can do, by role."""
    return render(request, "home.html.jinja")


@router.get("/ask")
def ask_form(request: Request, user: PageUser) -> HTMLResponse:
    """The knowledge question form."""
    return render(request, "ask.html.jinja", question="", answer=None, answer_html=None)


@router.post("/ask", dependencies=[CsrfChecked])
def ask_question(request: Request, user: PageUser, container: ContainerDep,
                 question: Annotated[str, Form()] = "") -> HTMLResponse:
    """Answer a question from the knowledge base with numbered citations, or abstain."""
    from clientloop.ask import ask

    answer = ask(container, question)
    # Escape first, then link the [n] markers to their citations (the pattern matches digits only).
    cited = {c.id for c in answer.citations}
    answer_html = Markup(re.sub(
        r"\[(\d+)\]", lambda m: f'<a href="#cite-{m[1]}">[{m[1]}]</a>' if int(m[1]) in cited else m[0],
        str(escape(answer.answer)),
    ))
    return render(request, "ask.html.jinja", question=question, answer=answer, answer_html=answer_html)


# --- Uploads and jobs ------------------------------------------------------------------------------


def _visible_clients(session: Session, user: User, limit: int = 500) -> list[Client]:
    query = select(Client).order_by(col(Client.name)).limit(limit)
    if user.role == "rm":
        query = query.where(Client.relationship_owner == user.name)
    return list(session.exec(query).all())


@router.get("/upload")
def upload_form(request: Request, user: PageUploader, session: SessionDep) -> HTMLResponse:
    """The interaction upload form."""
    return render(request, "upload.html.jinja", clients=_visible_clients(session, user), roles=_ROLE_NAMES,
                  rows=range(4))


def _participants_json(form: Any, raw_json: str) -> str | None:
    """Participants as JSON text: the JSON box when filled, else the rows with a name."""
    if raw_json.strip():
        return raw_json
    people = []
    for i in range(4):
        name = str(form.get(f"p{i}_name") or "").strip()
        if name:
            people.append({"name": name, "role": str(form.get(f"p{i}_role") or "other"),
                           "side": str(form.get(f"p{i}_side") or "client")})
    return json.dumps(people) if people else None


@router.post("/upload", dependencies=[CsrfChecked])
async def upload(
    request: Request, user: PageUploader, container: ContainerDep,
    client: Annotated[str, Form()], kind: Annotated[str, Form()],
    occurred_at: Annotated[str, Form()] = "", participants_json: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "", file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Store the interaction, queue its draft and go to the job page."""
    from fastapi.concurrency import run_in_threadpool

    from clientloop.api.documents import ensure_in_book, read_limited
    from clientloop.interactions import InvalidInteraction, submit_interaction

    if kind not in ("call_transcript", "meeting_notes", "email"):
        raise InvalidInteraction("choose a kind: call transcript, meeting notes or email")
    participants = _participants_json(await request.form(), participants_json)
    if user.role == "rm":
        await run_in_threadpool(ensure_in_book, container, user, client.strip())
    has_file = file is not None and bool(file.filename)
    if has_file and text.strip():
        raise InvalidInteraction("send either a file or pasted text, not both")
    if has_file:
        assert file is not None
        data, filename = await read_limited(file, container.settings.max_upload_bytes), file.filename or "upload"
    elif text.strip():
        data, filename = text.encode("utf-8"), "interaction.txt"
    else:
        raise InvalidInteraction("choose a file or paste the interaction's text")
    job = await run_in_threadpool(lambda: submit_interaction(
        container, data=data, filename=filename, client=client.strip(), kind=kind,  # type: ignore[arg-type]
        occurred_at=occurred_at or None, participants=participants, requested_by=user.name,
    ))
    return RedirectResponse(f"/ui/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(job_id: str, request: Request, user: PageUser, session: SessionDep) -> HTMLResponse:
    """A drafting job: its status and, when done, the draft (refreshes itself while waiting)."""
    from clientloop.interactions import draft_of, get_job
    from review.models import ReviewItem
    from review.queue import can_see_client

    job = get_job(session, job_id)
    if not can_see_client(session, user, job.client_id):
        raise NotFound(f"no job with id {job_id!r}")
    draft = draft_of(session, job)
    review = None
    if draft is not None:
        review = session.exec(select(ReviewItem).where(ReviewItem.lineage_id == draft.lineage_id)).first()
    client = session.get(Client, job.client_id) if job.client_id else None
    return render(request, "job.html.jinja", job=job, draft=draft, client=client, review=review,
                  content=json.loads(draft.content_json) if draft else None,
                  waiting=job.status in ("queued", "running"),
                  can_review=user.role in ("rm", "reviewer", "admin"))


# --- The review queue ----------------------------------------------------------------------------


def _float_or_none(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


@router.get("/reviews")
def review_queue(
    request: Request, user: PageDecider, session: SessionDep, status: str = "", flag: str = "", client: str = "",
    age: str = "", assignee: str = "", page: str = "1",
) -> HTMLResponse:
    """The review queue, oldest first, with filters and pages; an RM sees only their own book."""
    from review.flags import FLAG_NAMES
    from review.queue import list_queue

    statuses = [status] if status in STATUSES else None
    page_no = int(page) if page.isdigit() and int(page) > 0 else 1
    result = list_queue(session=session, user=user, status=statuses, flag=flag or None,
                        client=client.strip() or None, min_age_hours=_float_or_none(age),
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


def _review_page(request: Request, session: Session, user: User, review_id: str, *, status_code: int = 200,
                 error: str | None = None, notice: str | None = None, edit_text: str | None = None) -> HTMLResponse:
    from review.decisions import makers, may_approve
    from review.models import ReviewItem
    from review.queue import show_item

    shown = show_item(session=session, review_id=review_id, user=user)
    item, content, text = shown["item"], shown["content"], shown["source_text"]
    marks = evidence_marks(shown["evidence"], text) + flag_marks(shown["flags"], text)
    pending = item.status in PENDING
    approve_blocked = may_approve(item, user, makers(session, item)) if pending else None
    recap = session.exec(select(ReviewItem).where(ReviewItem.parent_review_id == item.id)).first()
    client = session.get(Client, item.client_id) if item.client_id else None
    return render(
        request, "review.html.jinja", status_code=status_code, error=error, notice=notice, item=item,
        draft=shown["draft"], content=content, source=shown["source"], source_html=highlight(text, marks),
        evidence=shown["evidence"], decisions=shown["decisions"], client=client,
        pending=pending, recap=recap, approve_blocked=approve_blocked,
        can_claim=pending and user.role in ("reviewer", "admin") and item.assignee != user.name,
        edit_text=edit_text if edit_text is not None else json.dumps(content, indent=2, ensure_ascii=False),
        edit_open=edit_text is not None,
        flag_groups=_flag_groups(shown["flags"], {m.anchor for m in marks if m.css == "flag"}),
    )


def _flag_groups(flags: list[Any], marked: set[str | None]) -> list[dict[str, Any]]:
    """Flags grouped by rule: the same rule firing on several spans (or again on the draft) is one line."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i, f in enumerate(flags, start=1):
        group = groups.setdefault((f.flag, f.rule_id, f.origin), {
            "flag": f.flag, "rule_id": f.rule_id, "severity": f.severity, "reason": f.reason, "origin": f.origin,
            "source": [], "draft": [],
        })
        anchor = f"flag-{i}" if f"flag-{i}" in marked else None
        if f.where == "source":
            group["source"].append((anchor, f.matched or ""))
        elif f.matched and f.matched not in group["draft"]:
            group["draft"].append(f.matched)
    return list(groups.values())


@router.get("/reviews/{review_id}")
def review_page(review_id: str, request: Request, user: PageDecider, session: SessionDep,
                done: str = "") -> HTMLResponse:
    """A draft beside its source: evidence marked, flag reasons, decisions and the forms to decide."""
    return _review_page(request, session, user, review_id, notice=_NOTICES.get(done))


@router.post("/reviews/{review_id}/claim", dependencies=[CsrfChecked])
def claim_review(review_id: str, request: Request, user: PageDecider, container: ContainerDep,
                 version: Annotated[int, Form()]) -> Response:
    """Claim an item (reviewers and admins)."""
    from review.decisions import claim

    try:
        with session_scope(container.engine) as session:
            item = claim(session=session, review_id=review_id, user=user, expected_version=version)
            item_id = item.id
    except StaleVersion:
        with Session(container.engine) as session:
            return _review_page(request, session, user, review_id, status_code=412, error=STALE_MESSAGE)
    return RedirectResponse(f"/ui/reviews/{item_id}?done=claim", status_code=303)


@router.post("/reviews/{review_id}/decide", dependencies=[CsrfChecked])
def decide_review(
    review_id: str, request: Request, user: PageDecider, container: ContainerDep,
    kind: Annotated[str, Form()], version: Annotated[int, Form()],
    reason: Annotated[str, Form()] = "", content: Annotated[str, Form()] = "",
) -> Response:
    """Approve, reject (with a reason) or edit the version the form showed; approval then releases."""
    from review.decisions import decide, parse_decision
    from review.errors import AlreadyDecided, InvalidDecision, NotAllowed

    edit_text = content if kind == "edit" else None
    try:
        body: dict[str, Any] = {"kind": kind}
        if reason.strip() or kind == "reject":
            body["reason"] = reason
        if kind == "edit":
            try:
                body["content"] = json.loads(content)
            except ValueError as exc:
                raise InvalidDecision(f"the edited draft is not valid JSON: {exc}") from None
        decision = parse_decision(body)
        with session_scope(container.engine) as session:
            outcome = decide(session=session, review_id=review_id, decision=decision, user=user,
                             expected_version=version)
            item_id = outcome.item.id
    except (StaleVersion, AlreadyDecided, NotAllowed, InvalidDecision) as exc:
        status, _code = status_for(exc)
        message = STALE_MESSAGE if isinstance(exc, StaleVersion) else str(exc)
        with Session(container.engine) as session:
            return _review_page(request, session, user, review_id, status_code=status, error=message,
                                edit_text=edit_text)
    if kind == "approve":
        error = _release(container, item_id, user)
        if error:
            with Session(container.engine) as session:
                return _review_page(request, session, user, item_id, status_code=500, error=error)
    return RedirectResponse(f"/ui/reviews/{item_id}?done={kind}", status_code=303)


def _release(container: Any, review_id: str, user: User) -> str | None:
    """Release an approved item in its own transaction; the message to show when it fails."""
    from review.release import release

    try:
        with session_scope(container.engine) as session:
            release(session=session, review_id=review_id, user=user)
    except Exception as exc:  # the approval stands; the API's release endpoint retries it
        return (f"Approved, but release failed ({type(exc).__name__}: {exc}). The approval stands; "
                "retry with POST /v1/reviews/{id}/release or `clientloop review release`.")
    return None


# --- Briefs and the weekly review -----------------------------------------------------------------


@router.get("/clients")
def client_list(request: Request, user: PageDecider, session: SessionDep) -> HTMLResponse:
    """The clients you may see, each with a link to its brief."""
    return render(request, "clients.html.jinja", clients=_visible_clients(session, user))


@router.get("/clients/{client_id}/brief")
def client_brief(client_id: str, request: Request, user: PageDecider, session: SessionDep) -> HTMLResponse:
    """The two-minute client brief, every line with where it came from."""
    from clients.brief import generate_brief

    brief = generate_brief(session=session, client_ref=client_id, user=user)
    return render(request, "brief.html.jinja", brief=brief)


@router.get("/weekly")
def weekly_page(request: Request, user: PageDecider, session: SessionDep, owner: str = "") -> HTMLResponse:
    """The weekly review of a book (an RM always sees their own)."""
    from clients.weekly import weekly_review

    review = weekly_review(session=session, owner=owner.strip() or None, user=user)
    return render(request, "weekly.html.jinja", review=review, owner=owner)
