"""`Idempotency-Key` on every POST: a retried request gets the first response, never a second effect.

A client that lost a response (a timeout, a dropped connection) sends the same POST again
with the same `Idempotency-Key`; it gets the stored first response (marked
`Idempotent-Replayed: true`) and nothing happens twice. The same key with another body is
a client bug and gets 422. Keys are scoped to the caller (a hash of the credentials they
sent), so one user's key never replays another's response. Responses of 5xx are not
stored: the retry runs again. Requests without the header behave as before.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from records.errors import DuplicateRecord
from records.ids import new_id, utcnow
from records.session import session_scope

HEADER = "idempotency-key"
MAX_KEY_CHARS = 200
MAX_STORED_BYTES = 1_000_000


class IdempotencyRecord(SQLModel, table=True):
    """The first response to one (caller, key)."""

    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: str = Field(default_factory=new_id, primary_key=True)
    scope: str
    key: str
    request_hash: str
    status_code: int
    media_type: str | None = None
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def _scope(request: Request) -> str:
    credentials = request.headers.get("authorization", "") + "|" + request.cookies.get("clientloop_session", "")
    return hashlib.sha256(credentials.encode()).hexdigest()


def _error(status: int, code: str, message: str) -> Response:
    from clientloop.api.errors import error_response

    return error_response(status, code, message)


class IdempotencyMiddleware:
    """ASGI middleware replaying the first response of a POST sent again with its `Idempotency-Key`."""

    def __init__(self, app: ASGIApp, engine_of: object) -> None:
        self.app = app
        self.engine_of = engine_of  # a callable returning the database engine (the container's, lazily)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass everything through; replay or refuse a POST whose key was seen."""
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        key = request.headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_CHARS:
            await _error(422, "invalid_idempotency_key",
                         f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters")(scope, receive, send)
            return
        body = await request.body()
        request_hash = hashlib.sha256(scope["path"].encode() + b"\0" + body).hexdigest()
        who = _scope(request)
        engine = self.engine_of()  # type: ignore[operator]
        with Session(engine) as session:
            seen = session.exec(select(IdempotencyRecord).where(IdempotencyRecord.scope == who,
                                                                IdempotencyRecord.key == key)).first()
        if seen is not None:
            if seen.request_hash != request_hash:
                await _error(422, "idempotency_key_reused", "this Idempotency-Key was used with another request "
                             "body; send a new key for a new request")(scope, receive, send)
                return
            replay = Response(seen.body, status_code=seen.status_code, media_type=seen.media_type,
                              headers={"Idempotent-Replayed": "true"})
            await replay(scope, receive, send)
            return
        await self._forward_and_store(scope, body, send, who=who, key=key, request_hash=request_hash, engine=engine)

    async def _forward_and_store(self, scope: Scope, body: bytes, send: Send, *, who: str, key: str,
                                 request_hash: str, engine: object) -> None:
        sent = False

        async def replay_body() -> dict[str, object]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        start: dict[str, object] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))  # type: ignore[arg-type]
            await send(message)

        await self.app(scope, replay_body, capture)  # type: ignore[arg-type]
        status = int(start.get("status", 500))  # type: ignore[call-overload]
        data = b"".join(chunks)
        if status >= 500 or len(data) > MAX_STORED_BYTES:
            return
        headers = dict(start.get("headers") or [])  # type: ignore[call-overload]
        media = headers.get(b"content-type", b"").decode() or None
        try:
            with session_scope(engine) as session:  # type: ignore[arg-type]
                session.add(IdempotencyRecord(scope=who, key=key, request_hash=request_hash, status_code=status,
                                              media_type=media, body=data.decode("utf-8", errors="replace")))
        except DuplicateRecord:
            pass  # a concurrent twin stored its response first; both are the same request
