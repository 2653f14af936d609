"""Sign-in and sign-out pages (the session itself is `clientloop.web.session`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from clientloop.deps import ContainerDep
from clientloop.web.pages import next_path, page_router, render
from clientloop.web.session import CsrfChecked, sign_in, sign_out, user_for_key

router = page_router()


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002
    """The sign-in form."""
    return render(request, "login.html.jinja", next=next_path(next))


@router.post("/login", dependencies=[CsrfChecked])
def login(request: Request, container: ContainerDep, key: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/ui/") -> Response:  # noqa: A002
    """Check the API key and set the sign-in cookie."""
    user = user_for_key(container, key)
    if user is None:
        return render(request, "login.html.jinja", status_code=401, next=next_path(next),
                      error="That key is not valid (unknown, revoked or mistyped).")
    response = RedirectResponse(next_path(next), status_code=303)
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
