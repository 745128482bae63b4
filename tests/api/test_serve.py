"""The real `consentry serve` process, as a user starts it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.browser import free_port
from tests.images import jpeg, pattern


def test_serve_answers_health_and_hash(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(tmp_path / "var")}
    created = subprocess.run(
        [sys.executable, "-m", "consentry", "apikey", "create", "--scope", "scan", "pipeline"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("cst_")
    server = subprocess.Popen(
        [sys.executable, "-m", "consentry", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited at start-up"
                assert time.monotonic() < deadline, "the server did not start within 30 s"
                time.sleep(0.2)
        assert health.status_code == 200
        while httpx.get(f"{base}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the server never became ready"
            time.sleep(0.1)
        response = httpx.post(
            f"{base}/v1/hash",
            files={"file": ("a.jpg", jpeg(pattern(60)), "image/jpeg")},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200
        assert len(response.json()["pdq"]) == 64
        assert (tmp_path / "var" / "consentry.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.stdout is not None
    printed = server.stdout.read().decode()
    # Without CONSENTRY_PUBLIC_URL, the first-start link points at this server's port.
    assert f"http://127.0.0.1:{port}/setup#token=" in printed
