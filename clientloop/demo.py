"""`clientloop demo`: a fresh data directory with the shipped demo data, walked through once.

Everything here goes through the same services a real deployment uses (ingestion, the
drafting job queue and worker, the review gate, briefs), so the demo doubles as a smoke
test of the embedded defaults: SQLite, embedded Chroma, the local ONNX embedding model
and the rules engine, with no key and no server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import select

from clientloop.container import Container
from records.session import session_scope
from records.tables import Client

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_USERS = [("priya", "rm", "Priya Shah", "Relationship Manager"),
              ("rosa", "reviewer", "Rosa Lindqvist", "Compliance Reviewer"),
              ("sam", "service", "Sam Okoye", "Client Services"), ("admin", "admin", None, None)]
"""Demo users: an RM (owner of the demo clients), a reviewer, a service agent and an admin, with names and titles."""


@dataclass
class DemoDraft:
    """One demo interaction after drafting and the gate."""

    file: str
    client: str
    job_id: str
    actions: int
    review_status: str
    flags: list[str] = field(default_factory=list)


def create_demo_users(container: Container) -> dict[str, str]:
    """Create the demo users; returns name → API key (printed once by the demo)."""
    from review.users import create_user

    keys: dict[str, str] = {}
    with session_scope(container.engine) as session:
        for name, role, full_name, title in DEMO_USERS:
            _user, key = create_user(session=session, name=name, role=role, full_name=full_name, title=title)
            keys[name] = key
    return keys


def draft_demo_interactions(container: Container, rm: str = "priya") -> list[DemoDraft]:
    """Upload every demo interaction as the RM, run the worker, and report the gate's outcome."""
    from clientloop.interactions import submit_interaction
    from clientloop.worker import run_worker
    from records.tables import Draft, Job
    from review.models import ReviewItem

    manifest = json.loads((DEMO_DIR / "interactions" / "manifest.json").read_text("utf-8"))
    jobs: list[tuple[dict[str, Any], str]] = []
    for entry in manifest:
        with session_scope(container.engine) as session:
            if session.exec(select(Client).where(Client.name == entry["client"])).first() is None:
                session.add(Client(name=entry["client"], relationship_owner=rm))
        path = DEMO_DIR / "interactions" / entry["file"]
        job = submit_interaction(
            container, data=path.read_bytes(), filename=entry["file"], client=entry["client"], kind=entry["kind"],
            occurred_at=entry["occurred_at"], participants=entry["participants"], requested_by=rm,
        )
        jobs.append((entry, job.id))
    run_worker(container, once=True)
    out: list[DemoDraft] = []
    with session_scope(container.engine) as session:
        for entry, job_id in jobs:
            stored = session.get(Job, job_id)
            assert stored is not None
            item = session.exec(select(ReviewItem).where(ReviewItem.source_id == stored.source_id)).first()
            flags: list[str] = json.loads(item.flags_json) if item else []
            draft = session.get(Draft, stored.draft_id) if stored.draft_id else None
            actions = len(json.loads(draft.content_json)["actions"]) if draft else 0
            out.append(DemoDraft(
                file=entry["file"], client=entry["client"], job_id=job_id, actions=actions,
                review_status=item.status if item else stored.status,
                flags=sorted(set(flags)),
            ))
    return out
