"""One bounded request: answer read within the deadline and the size limit, refused
destinations never reached, and callable from a thread already running an event loop."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from consentry.outbound.client import Fetched, FetchFailed, fetch

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"x" * (4096 if self.path == "/big" else 2)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _get(url: str, max_bytes: int = 1 << 20) -> Fetched:
    return fetch("GET", url, headers={}, deadline_seconds=5, allowed=LOOPBACK, max_bytes=max_bytes)


def test_an_answer_is_read_within_its_limits(server: str) -> None:
    assert _get(f"{server}/small") == Fetched(200, b"xx")
    with pytest.raises(FetchFailed, match="larger than 1,000 bytes"):
        _get(f"{server}/big", max_bytes=1000)
    with pytest.raises(FetchFailed, match="CONSENTRY_OUTBOUND_ALLOW"):
        fetch("GET", f"{server}/small", headers={}, deadline_seconds=5)


def test_it_works_from_inside_a_running_event_loop(server: str) -> None:
    async def caller() -> Fetched:
        return _get(f"{server}/small")  # a synchronous call, made from async code

    assert asyncio.run(caller()).status == 200
