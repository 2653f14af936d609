"""Onboarding over HTTP: the book's cases, one client's phases, opening a case and marking a phase done."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clientloop.api.auth import ClientInBook, ClientsUser
from clientloop.api.errors import responses
from clientloop.deps import SessionDep
from clients.onboarding import OnboardingView, advance, onboarding_cases, onboarding_of, open_onboarding

router = APIRouter(tags=["clients"])


class OnboardingOpen(BaseModel):
    """A signature: the phases fall due from it."""

    signed_at: datetime = Field(description="When the client signed (ISO 8601; UTC when no offset).")
    mandate: str = Field(default="", max_length=300, description="What was signed for.")


class PhaseDone(BaseModel):
    """What was done in a phase."""

    note: str = Field(default="", max_length=2000)


@router.get("/v1/onboarding", responses=responses(401, 403))
def list_onboarding(session: SessionDep, user: ClientsUser) -> list[OnboardingView]:
    """The onboarding cases of your book, newest signature first."""
    return onboarding_cases(session=session, user=user)


@router.get("/v1/clients/{client_id}/onboarding", responses=responses(401, 403, 404, 422))
def client_onboarding(client: ClientInBook, session: SessionDep, user: ClientsUser) -> OnboardingView:
    """One client's onboarding phases: owner, due time, done or overdue."""
    return onboarding_of(session=session, client_ref=client.id, user=user)


@router.post("/v1/clients/{client_id}/onboarding", status_code=201, responses=responses(401, 403, 404, 422))
def open_case(client: ClientInBook, body: OnboardingOpen, session: SessionDep, user: ClientsUser) -> OnboardingView:
    """Open the client's onboarding case (audited)."""
    open_onboarding(session=session, client_ref=client.id, signed_at=body.signed_at, user=user, mandate=body.mandate)
    return onboarding_of(session=session, client_ref=client.id, user=user)


@router.post("/v1/clients/{client_id}/onboarding/{phase}/done", responses=responses(401, 403, 404, 422))
def phase_done(client: ClientInBook, phase: str, body: PhaseDone, session: SessionDep,
               user: ClientsUser) -> OnboardingView:
    """Mark a phase done, now, by you (audited)."""
    return advance(session=session, client_ref=client.id, phase=phase, user=user, note=body.note)
