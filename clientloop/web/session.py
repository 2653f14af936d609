"""Sign-in for the pages: a server-side session in a cookie, a CSRF token beside it, role checks as dependencies.

Design decisions:

- **Server-side sessions.** `/ui/login` takes the key `clientloop users add` printed and
  checks it with `review.users.authenticate`; the browser then gets a random session
  token (not the key) in an `HttpOnly`, `SameSite=Strict` cookie scoped to `/ui`, and the
  database keeps only the token's hash (`review.models.WebSession`). A stolen cookie is
  therefore not a stolen API key, and it dies at sign-out (the row is ended, so replaying
  the old cookie fails), at its expiry (`CLIENTLOOP_WEB_SESSION_HOURS`, never later than
  the key's) and the moment the key is revoked or rotated. Every request looks the
  session up again. The cookie is marked `Secure` whenever the request arrived over
  HTTPS; a production deployment serves the pages only behind TLS.
- **CSRF: double submit.** A random token lives in a second `SameSite=Strict` cookie and
  in a hidden field of every POST form; the two are compared with
  `hmac.compare_digest`. The token is replaced at sign-in and removed at sign-out.
- **Roles as dependencies** (`clientloop.web.deps`), from the access rule the API uses, so
  a page never checks a role by hand. Visibility of records (an RM's own book) is left to
  the `review` and `clients` functions the pages call.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session

from clientloop.deps import ContainerDep
from records.session import session_scope
from records.tables import User

SESSION_COOKIE = "clientloop_session"
CSRF_COOKIE = "clientloop_csrf"
CSRF_FIELD = "csrf_token"
COOKIE_PATH = "/ui"


class SignInRequired(Exception):
    """The page needs a signed-in user; the pages answer with a redirect to the sign-in form."""


class CsrfFailed(Exception):
    """A POST came without the form's CSRF token, or with one that does not match the cookie."""


def user_for_key(container: ContainerDep, key: str) -> User | None:
    """The user holding `key` if it is valid (not revoked or expired), detached from its session, or None."""
    from review.users import authenticate

    if not key:
        return None
    with Session(container.engine, expire_on_commit=False) as session:
        user = authenticate(session=session, key=key.strip())
        if user is not None:
            session.expunge(user)
    return user


def user_for_session(container: ContainerDep, token: str) -> User | None:
    """The user of a live web session, detached, or None."""
    from review.users import session_user

    if not token:
        return None
    with Session(container.engine, expire_on_commit=False) as session:
        user = session_user(session=session, token=token)
        if user is not None:
            session.expunge(user)
    return user


def page_user(request: Request, container: ContainerDep) -> User:
    """The signed-in user (raises `SignInRequired` without a live session cookie)."""
    user = user_for_session(container, request.cookies.get(SESSION_COOKIE, ""))
    if user is None:
        raise SignInRequired
    request.state.user = user
    return user


PageUser = Annotated[User, Depends(page_user)]
"""Any signed-in user."""


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser: the cookie's, or a new one (set on the response by `render`)."""
    token = getattr(request.state, "csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    request.state.csrf = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose form token does not match the CSRF cookie."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not isinstance(sent, str) or not sent or not expected:
        raise CsrfFailed
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed


CsrfChecked = Depends(check_csrf)
"""Put in a POST route's `dependencies` to require a valid CSRF token."""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    """Store the CSRF token in its cookie (readable only by the server, sent only same-site)."""
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path=COOKIE_PATH,
                        secure=_secure(request))


def sign_in(request: Request, response: Response, container: ContainerDep, user: User) -> None:
    """Open a server-side session for `user`, set its cookie and a fresh CSRF token (none seen before is reused)."""
    from review.users import open_session

    with session_scope(container.engine) as session:
        _row, token = open_session(session=session, user=user,
                                   lifetime=timedelta(hours=container.settings.web_session_hours))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path=COOKIE_PATH,
                        secure=_secure(request))
    set_csrf_cookie(request, response, secrets.token_urlsafe(32))


def sign_out(request: Request, response: Response, container: ContainerDep) -> None:
    """End this browser's session on the server and remove the session and CSRF cookies."""
    from review.users import close_session

    with session_scope(container.engine) as session:
        close_session(session=session, token=request.cookies.get(SESSION_COOKIE, ""))
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
