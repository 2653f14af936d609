"""The `jobs` command group: drafting jobs (uploads turned into drafts), as `GET /v1/jobs/{id}` shows them.

A job is visible to its uploader and to whoever may read its client (`records.access`);
its draft only to those who may read drafts of that client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from clientloop.cli_common import AsJson, console, echo_json, iso, make_table, run_in_session, user_named

if TYPE_CHECKING:
    from sqlmodel import Session

    from records.tables import Draft, Job

jobs_app = typer.Typer(help="Drafting jobs: what each upload is waiting for, and its draft.", no_args_is_help=True)

AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (default: the operator, who sees all).")]


def job_row(job: Job) -> dict[str, Any]:
    """A job's status fields, as the API names them."""
    return {
        "id": job.id,
        "status": job.status,
        "attempts": job.attempts,
        "error": job.error,
        "source_id": job.source_id,
        "client_id": job.client_id,
        "requested_by": job.requested_by,
        "draft_id": job.draft_id,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
    }


@jobs_app.command("list")
def list_cmd(
    as_user: AsUser = None,
    status: Annotated[str | None, typer.Option(help="queued, running, done or failed (default: all).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Newest first, at most this many.")] = 20,
    as_json: AsJson = False,
) -> None:
    """List the newest drafting jobs you can see."""
    from sqlmodel import col, or_, select

    from records.access import book_filter
    from records.tables import Job

    def go(session: Session, _c: Any) -> list[dict[str, Any]]:
        user = user_named(session, as_user)
        query = select(Job).where(Job.kind == "draft")
        if user is not None:
            query = query.where(or_(col(Job.requested_by) == user.name, book_filter(user, Job.client_id)))
        if status:
            query = query.where(Job.status == status)
        jobs = session.exec(query.order_by(col(Job.created_at).desc(), col(Job.id).desc()).limit(limit)).all()
        return [job_row(j) for j in jobs]

    rows = run_in_session(go)
    if as_json:
        echo_json(rows)
        return
    table = make_table("id", "status", "by", "created", "error", title=f"{len(rows)} job(s), newest first")
    for r in rows:
        table.add_row(
            r["id"],
            r["status"],
            r["requested_by"] or "-",
            (r["created_at"] or "")[:16].replace("T", " "),
            r["error"] or "",
        )
    console.print(table)


@jobs_app.command("show")
def show_cmd(
    job_id: Annotated[
        str, typer.Argument(help="The job id (`clientloop draft` and `POST /v1/interactions` print it).")
    ],
    as_user: AsUser = None,
    as_json: AsJson = False,
) -> None:
    """Show one job: its status, error, and its draft and review state once drafted."""
    import json

    from clientloop.interactions import readable_job
    from review.explain import review_state

    def go(session: Session, _c: Any) -> dict[str, Any]:
        seen = readable_job(session, job_id, user_named(session, as_user))
        body = job_row(seen.job)
        draft, review = seen.draft, None
        if draft is not None:
            state = review_state(session, lineage_id=draft.lineage_id)
            review = state.model_dump(mode="json") if state else None
        body["draft"] = _draft_view(draft, json.loads(draft.content_json)) if draft is not None else None
        body["review"] = review
        body["may_read_draft"] = seen.may_read_draft
        return body

    body = run_in_session(go)
    if as_json:
        echo_json(body)
        return
    created = body["created_at"][:16].replace("T", " ")
    console.print(f"job {body['id']}: {body['status']} (attempt {body['attempts']}) · created {created}")
    if body["error"]:
        console.print(f"[red]error:[/] {body['error']}", highlight=False)
    draft, review = body["draft"], body["review"]
    if draft is not None:
        console.print(f"draft {draft['id']} · version {draft['version']} · engine {draft['engine']}")
    elif body["draft_id"] and not body["may_read_draft"]:
        console.print("[dim]drafted; your role may not read drafts of this client[/]")
    if review is not None:
        flags = ", ".join(f["flag"] for f in review["flags"]) or "none"
        console.print(f"review {review['review_id']}: {review['status']} · flags {flags}", highlight=False)


def _draft_view(draft: Draft, content: Any) -> dict[str, Any]:
    return {
        "id": draft.id,
        "version": draft.version,
        "engine": draft.engine,
        "model": draft.model,
        "prompt_version": draft.prompt_version,
        "fallback": draft.fallback,
        "source_id": draft.source_id,
        "created_at": iso(draft.created_at),
        "content": content,
    }
