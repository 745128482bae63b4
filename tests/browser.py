"""A real headless Chromium (Debian's package), driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import atexit
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
from playwright.sync_api import Browser, Playwright, sync_playwright

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


_session: tuple[Playwright, Browser] | None = None


def _close_session() -> None:
    if _session is not None:
        playwright, browser = _session
        browser.close()
        playwright.stop()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, started once per test process (a launch costs a second of CPU)
    and shared; whatever a test opened in it (contexts, pages, cookies) is closed after."""
    global _session
    require_chromium()
    if _session is None:
        playwright = sync_playwright().start()
        _session = playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        atexit.register(_close_session)
    browser = _session[1]
    try:
        yield browser
    finally:
        for context in browser.contexts:
            context.close()


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
