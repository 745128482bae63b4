"""A stand-in for StopNCII's hash API, written for the tests from its published shape (as
python-threatexchange's client calls it): FetchHashes pages with cursors and
checkpoints, status changes, and faults on demand (500s, slow answers, expired cursors)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

from tests.browser import free_port

SUBSCRIPTION, FETCH_KEY, FEEDBACK_KEY = "sub-key", "fetch-key", "feedback-key"


@dataclass
class StandIn:
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0  # answer the next N calls with HTTP 500
    slow_next: int = 0  # answer the next N calls after `slow_seconds`
    slow_seconds: float = 3.0
    expired_cursors: bool = False  # every nextPageToken is refused (HTTP 400)
    calls: list[dict[str, str]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    clock: int = 1_700_000_000
    url: str = ""

    def put(self, signal_type: str, value: str, status: str) -> None:
        """A hash submitted, or its status changed, now (each change a second later)."""
        self.clock += 1
        self.records[(signal_type, value)] = {
            "lastModtimestamp": self.clock,
            "signalType": signal_type,
            "hashValue": value,
            "hashStatus": status,
            "caseNumbers": {f"case-{len(self.records)}": status},
            "CSPFeedbacks": [],
        }

    def page(self, start: int, size: int, token: str) -> dict[str, Any]:
        chosen = sorted(
            (r for r in self.records.values() if r["lastModtimestamp"] >= start),
            key=lambda r: (r["lastModtimestamp"], r["hashValue"]),
        )
        offset = int(token.split(":")[1]) if token else 0
        more = offset + size < len(chosen)
        return {
            "count": len(chosen[offset : offset + size]),
            "nextPageToken": f"{start}:{offset + size}" if more else None,
            "nextSetTimestamp": max((r["lastModtimestamp"] for r in chosen), default=start),
            "hasMoreRecords": more,
            "hashRecords": chosen[offset : offset + size],
        }


def _app(state: StandIn) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/FetchHashes")
    def fetch_hashes(
        startTimestamp: int,  # noqa: N803 (StopNCII's names)
        pageSize: int = 800,  # noqa: N803
        nextPageToken: str = "",  # noqa: N803
        subscription: str = Header("", alias="Ocp-Apim-Subscription-Key"),
        function: str = Header("", alias="x-functions-key"),
    ) -> JSONResponse:
        state.calls.append({"start": str(startTimestamp), "token": nextPageToken})
        if (subscription, function) != (SUBSCRIPTION, FETCH_KEY):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        if state.fail_next:
            state.fail_next -= 1
            return JSONResponse({"error": "busy"}, status_code=500)
        if state.slow_next:
            state.slow_next -= 1
            time.sleep(state.slow_seconds)
        if nextPageToken and state.expired_cursors:
            return JSONResponse({"error": "cursor expired"}, status_code=400)
        return JSONResponse(state.page(startTimestamp, pageSize, nextPageToken))

    @app.post("/v1/SubmitFeedback")
    async def submit_feedback(
        request: Request,
        subscription: str = Header("", alias="Ocp-Apim-Subscription-Key"),
        function: str = Header("", alias="x-functions-key"),
    ) -> JSONResponse:
        if (subscription, function) != (SUBSCRIPTION, FEEDBACK_KEY):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        state.feedback.extend((await request.json())["hashFeedbacks"])
        return JSONResponse({})

    return app


@contextmanager
def stopncii() -> Iterator[StandIn]:
    state = StandIn()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(_app(state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the stand-in never started"
        time.sleep(0.02)
    state.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
