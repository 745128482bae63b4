"""A real headless Chromium (Debian's package), driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(data_dir: Path, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    """A real `consentry serve` on a free loopback port, once ready: (process, base URL).

    `settings` are CONSENTRY_* variables, e.g. scheduler_seconds="0.1"."""
    port = free_port()
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(data_dir), "CONSENTRY_ACCESS_LOG": "false"}
    env.update({f"CONSENTRY_{name.upper()}": value for name, value in settings.items()})
    server = subprocess.Popen(
        [sys.executable, "-m", "consentry", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError("the server did not become ready")
        time.sleep(0.2)


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """A real `consentry serve`, stopped at the end; yields its base URL."""
    server, base = start_server(data_dir)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
