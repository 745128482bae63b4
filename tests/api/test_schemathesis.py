"""Property-based requests generated from the live OpenAPI document (S1): no input yields
a 5xx, and every answer conforms to the document (declared status, media type and body
schema)."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.generation.case import Case

from consentry.accounts.models import Scope
from consentry.config import Settings
from consentry.service.app import create_app
from tests.conftest import key_headers, wait_ready

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# Built at import, as schemathesis reads the schema at collection time.
_FOLDER = Path(tempfile.mkdtemp(prefix="consentry-schemathesis-"))
APP = create_app(Settings(data_dir=_FOLDER))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app running (lifespan, matcher), a key with every scope, and one bank."""
    try:
        with TestClient(APP) as client:
            wait_ready(client)
            every_scope = key_headers(client, *Scope)
            client.post("/v1/banks", json={"name": "ncii"}, headers=every_scope)
            yield client, every_scope
    finally:
        shutil.rmtree(_FOLDER, ignore_errors=True)


def _send(client: TestClient, case: Case[Any], headers: dict[str, str]) -> httpx.Response:
    """Send a generated case through the one running app (schemathesis' own ASGI client
    would restart it)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("allow_redirects", None)
    data = kwargs.get("data")
    if data is not None and not isinstance(data, dict):
        # requests-style raw bodies (any JSON value, bytes) become httpx `content`.
        raw = data if isinstance(data, bytes | str) else json.dumps(data)
        kwargs["content"] = kwargs.pop("data") if isinstance(data, bytes | str) else raw
    if kwargs.get("files"):
        # Extra multipart fields may be generated as numbers; httpx sends only bytes.
        kwargs["files"] = [
            (name, (filename, value if isinstance(value, bytes) else str(value).encode()))
            for name, (filename, value, *_) in kwargs["files"]
        ]
    response: httpx.Response = client.request(**kwargs)
    response.request.read()  # multipart bodies stream; the checks read the request back
    return response


@schema.parametrize()
# 60 examples an operation (about 2,500 requests in all): the suite stays near five minutes.
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(
    case: Case[Any], live: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = live
    response = _send(client, case, headers)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    case.validate_response(response, checks=CONFORMANCE)
