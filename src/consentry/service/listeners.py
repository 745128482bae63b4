"""Running the service's worker processes, each listening on a socket of its own.

Uvicorn's workers share one listening socket, and whichever wakes first accepts every
connection waiting. Clients that hold keep-alive connections (an upload service's pool)
open them together, so they landed unevenly: with wrk's 16 connections and 2 workers,
all 16 on one worker in one run of four, 15 and 1 in another, while the other core sat
idle. With SO_REUSEPORT each worker listens on its own socket bound to the same port,
and the kernel spreads new connections over them by their addresses.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess


def _listening(family: int, address: Any) -> socket.socket:
    """A worker's own socket on the shared port (made in the worker: see `_PortShare`)."""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


class _PortShare(socket.socket):
    """The parent's socket: it holds the port (bound, never listening, so the kernel
    sends it no connection) and, handed to a worker, becomes that worker's own socket."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_listening, (self.family, self.getsockname()))


def _port_share(host: str, port: int) -> _PortShare:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = _PortShare(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def run(config: uvicorn.Config) -> None:
    """Serve with `config.workers` processes (restarted if one dies, as uvicorn does)."""
    # Linux balances a port's sockets; elsewhere SO_REUSEPORT may hand one all of them.
    if config.workers <= 1 or sys.platform != "linux":
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    try:
        sock = _port_share(config.host, config.port)
    except OSError as error:
        sys.exit(f"cannot listen on {config.host}:{config.port}: {error.strerror}")
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
