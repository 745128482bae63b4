"""A real headless Chromium (Debian's package), driven by Playwright; never a downloaded browser."""

from __future__ import annotations

import atexit
import os
import random
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


# Ports above 32767 are the kernel's for outgoing connections and 10002-19999 are Ray's
# workers': a port probed free there can be taken before the server binds it (it was, in
# CI, with Ray tests beside). Below both, only another test can race for it.
_PORTS = range(20000, 32768)


def free_port() -> int:
    """A loopback port that nothing holds now, outside the ranges others take on their own."""
    while True:
        port = random.choice(_PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def start_server(data_dir: Path, **settings: str) -> tuple[subprocess.Popen[bytes], str]:
    """A real `consentry serve` on a free loopback port, once ready: (process, base URL).

    `settings` are CONSENTRY_* variables, e.g. scheduler_seconds="0.1". A server that
    exits before it is ready (its port taken meanwhile) is started again on another."""
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(data_dir), "CONSENTRY_ACCESS_LOG": "false"}
    env.update({f"CONSENTRY_{name.upper()}": value for name, value in settings.items()})
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "serve.log"
    for _attempt in range(3):
        port = free_port()
        with log.open("wb") as output:
            server = subprocess.Popen(
                [sys.executable, "-m", "consentry", "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=output,
            )
        base = f"http://127.0.0.1:{port}"
        if _ready(server, base):
            return server, base
        server.kill()
        server.wait()
    tail = log.read_text(errors="replace")[-3000:]
    raise AssertionError(f"the server did not become ready; it wrote:\n{tail}")


def _ready(server: subprocess.Popen[bytes], base: str) -> bool:
    deadline = time.monotonic() + 60
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """A real `consentry serve`, stopped at the end; yields its base URL."""
    server, base = start_server(data_dir)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
