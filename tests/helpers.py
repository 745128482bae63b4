"""Helpers for tests that run the service in-process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.accounts.service import create_api_key
from consentry.config import Settings
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.service.app import create_app

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own (as a worker's loop is): a browser test may
    have left an event loop running on this one."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def wait_ready(client: TestClient) -> None:
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the service never became ready"
        time.sleep(0.02)


def key_headers(client: TestClient, *scopes: Scope) -> dict[str, str]:
    """Authorization headers with a new API key holding these scopes."""
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        _, secret = create_api_key(actor=SYSTEM, session=session, name="test", scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        wait_ready(test_client)
        yield test_client
