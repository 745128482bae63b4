import json
import subprocess
import sys
from pathlib import Path

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_openapi_document_matches_the_checked_in_copy() -> None:
    """A change to the API must be deliberate: regenerate docs/openapi.json with
    `consentry openapi > docs/openapi.json` and commit it with the change."""
    current = subprocess.run(
        [sys.executable, "-m", "consentry", "openapi"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(current) == json.loads(CHECKED_IN.read_text())


def test_every_operation_declares_problem_errors_and_security() -> None:
    document = json.loads(CHECKED_IN.read_text())
    secured = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if path.startswith("/v1/")
    ]
    assert secured
    for path, method in secured:
        operation = document["paths"][path][method]
        assert operation.get("security"), f"{method} {path} has no security requirement"
