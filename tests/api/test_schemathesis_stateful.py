"""S1, the stateful phase: schemathesis chains calls through the links it infers from
the document (a bank created, then read, filled, changed and exported; a case decided,
then appealed; a webhook added, then removed) against a real `consentry serve`, and
every answer must be no 5xx and conform to the document."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from consentry.accounts.models import Scope
from tests.browser import start_server

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)


def test_chained_calls_conform(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = {**os.environ, "CONSENTRY_DATA_DIR": str(data_dir)}
    scopes = [arg for scope in Scope for arg in ("--scope", scope.value)]
    created = subprocess.run(
        [sys.executable, "-m", "consentry", "apikey", "create", *scopes, "stateful"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]
    server, base = start_server(data_dir)
    try:
        run = subprocess.run(
            [
                shutil.which("schemathesis") or "schemathesis",
                "run",
                f"{base}/openapi.json",
                "--phases",
                "stateful",
                "--checks",
                CHECKS,
                "--max-examples",
                "100",
                "--header",
                f"Authorization: Bearer {key}",
                "--seed",
                "15",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "No issues found" in run.stdout
