"""POST /v1/inspect and `consentry inspect`: the same findings, nothing stored."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
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
    findings = {finding["detector"]: finding for finding in body["findings"]}
    assert list(findings) == [
        "c2pa",
        "metadata",
        "error_level",
        "noise_level",
        "jpeg_ghost",
        "copy_move",
    ]
    assert findings["c2pa"]["verdict"] == "valid"
    assert findings["c2pa"]["details"]["digital_source_type"] == ["trainedAlgorithmicMedia"]
    assert 0 <= findings["jpeg_ghost"]["score"] <= 1
    assert findings["jpeg_ghost"]["heatmap_png"] is None  # only when asked for
    with_maps = client.post(
        "/v1/inspect?heatmaps=true", files=files, headers=key_headers(client, Scope.SCAN)
    ).json()["findings"]
    heat = Image.open(io.BytesIO(base64.b64decode(with_maps[4]["heatmap_png"])))
    assert heat.size == Image.open(io.BytesIO(signed)).size
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
    maps = tmp_path / "maps"
    assert CliRunner().invoke(app, ["inspect", "--heatmaps", str(maps), str(photo)]).exit_code == 0
    assert sorted(p.name for p in maps.iterdir()) == [
        "photo.copy_move.png",
        "photo.error_level.png",
        "photo.jpeg_ghost.png",
        "photo.noise_level.png",
    ]
    missing = CliRunner().invoke(app, ["inspect", str(tmp_path / "nope.jpg")])
    assert missing.exit_code == 1
