"""POST /v1/inspect and `consentry inspect`: the same findings, nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from consentry.accounts.models import Scope
from consentry.cli.main import app
from tests.detection.signing import ThrowawaySigner
from tests.helpers import key_headers
from tests.images import jpeg, pattern


def test_inspect_needs_the_scan_scope_and_explains_each_finding(client: TestClient) -> None:
    signed = ThrowawaySigner().sign(jpeg(pattern(6)), ai=True)
    files = {"file": ("a.jpg", signed, "image/jpeg")}
    assert client.post("/v1/inspect", files=files).status_code == 401
    refused = client.post("/v1/inspect", files=files, headers=key_headers(client, Scope.BANKS_READ))
    assert refused.status_code == 403
    answer = client.post("/v1/inspect", files=files, headers=key_headers(client, Scope.SCAN))
    assert answer.status_code == 200
    body = answer.json()
    c2pa, metadata, copy_move = body["findings"]
    assert (c2pa["detector"], c2pa["verdict"]) == ("c2pa", "valid")
    assert c2pa["details"]["digital_source_type"] == ["trainedAlgorithmicMedia"]
    assert metadata["detector"] == "metadata"
    assert copy_move["detector"] == "copy_move"
    assert "never decide a removal" in body["caveat"]


def test_inspect_command_prints_text_or_json(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(pattern(7)))
    text = CliRunner().invoke(app, ["inspect", str(photo)])
    assert text.exit_code == 0, text.output
    assert "c2pa: applicable absent" in text.stdout
    lines = (
        CliRunner().invoke(app, ["inspect", "--json", str(photo), str(photo)]).stdout.splitlines()
    )
    assert [json.loads(line)["findings"][0]["verdict"] for line in lines] == ["absent", "absent"]
    missing = CliRunner().invoke(app, ["inspect", str(tmp_path / "nope.jpg")])
    assert missing.exit_code == 1
