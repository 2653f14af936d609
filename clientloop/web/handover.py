"""The handover page: a client's relationship in one read for a new owner, with any change of owner."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from clientloop.deps import SessionDep
from clientloop.web.deps import PageClientInBook, PageClientsUser
from clientloop.web.pages import page_router, render

router = page_router()


@router.get("/clients/{client_id}/handover")
def handover_page(client: PageClientInBook, request: Request, user: PageClientsUser,
                  session: SessionDep) -> HTMLResponse:
    """The relationship handover, every line with where it came from."""
    from clients.handover import relationship_handover

    handover = relationship_handover(session=session, client_ref=client.id, user=user)
    return render(request, "handover.html.jinja", handover=handover, client=client)
