"""A request-body size limit enforced while the body streams in, not after."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.api.problems import PayloadTooLarge, problem_response


class BodySizeLimit:
    """Refuses bodies over `limit` bytes: at once when Content-Length says so, else mid-stream.

    Mid-stream, the app is told the client went away (so it stops reading) and
    whatever it answers is replaced by the 413: the body parser would otherwise
    turn the interruption into a vague 400.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = PayloadTooLarge(self.limit)
        response = problem_response(
            problem.status, problem.slug, problem.message, **problem.extensions()
        )
        await response(scope, receive, send)
