"""`consentry serve --workers N`: each worker listens on a socket of its own, so that
connections opened together (a client's keep-alive pool) are spread over the workers
instead of all landing on whichever woke first."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.browser import free_port

CONNECTIONS = 16


async def pid_app(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """Answers with the worker's process id."""
    if scope["type"] != "http":
        return
    body = str(os.getpid()).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_SERVE = (
    "import uvicorn; from consentry.service.listeners import run; "
    "run(uvicorn.Config('tests.service.test_listeners:pid_app', port={port}, workers=2, "
    "log_level='warning'))"
)


@contextmanager
def _served(port: int) -> Iterator[subprocess.Popen[bytes]]:
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE.replace("{port}", str(port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield server
    finally:
        server.terminate()
        server.wait(timeout=15)


def _pids(port: int, connections: int) -> list[int]:
    """Open the connections together, then ask each which worker holds it."""
    opened = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(connections)]
    pids = []
    for sock in opened:
        with sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := sock.recv(4096):
                reply += chunk
            pids.append(int(reply.split(b"\r\n\r\n", 1)[1]))
    return pids


def test_connections_opened_together_reach_every_worker() -> None:
    port = free_port()
    with _served(port):
        deadline = time.monotonic() + 90
        while True:  # both workers listening (one alone would take every connection)
            try:
                if len(set(_pids(port, 8))) == 2:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        for _ in range(3):
            spread = Counter(_pids(port, CONNECTIONS))
            # Spread by the kernel (a hash of each connection's addresses): one worker
            # would get none of 16 once in 32,768 runs; on one shared socket, 1 run in 4.
            assert len(spread) == 2, spread
            assert sum(spread.values()) == CONNECTIONS

        # A worker that dies is replaced, and its successor listens on a socket of its own.
        killed = next(iter(spread))
        os.kill(killed, signal.SIGKILL)
        while True:
            try:
                pids = set(_pids(port, CONNECTIONS))
                if len(pids) == 2 and killed not in pids:
                    break
            except OSError:
                pass  # a connection that was waiting for the dead worker is reset
            assert time.monotonic() < deadline, "the worker was not replaced"
            time.sleep(0.2)


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with _served(port) as server:
            assert server.wait(timeout=30) != 0
            assert server.stderr is not None
            assert f"127.0.0.1:{port}" in server.stderr.read().decode()


if sys.platform != "linux":  # pragma: no cover
    pytestmark = pytest.mark.skip("sockets of their own on Linux only (SO_REUSEPORT)")
