"""An HMA 2.0 integration, pointed at /compat/hma, works unchanged: the same paths and
JSON fields, behind consentry's keys."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.hashing import compute_signals
from tests.cases.support import eventually
from tests.helpers import key_headers
from tests.images import pattern, png

HMA = "/compat/hma"


def _flip(value: str, bits: int) -> str:
    number = int(value, 16) ^ ((1 << bits) - 1)
    return f"{number:064x}"


def test_an_hma_integration_banks_looks_up_and_removes(client: TestClient) -> None:
    keys = key_headers(client, Scope.SCAN, Scope.BANKS_READ, Scope.BANKS_WRITE)
    assert client.get(f"{HMA}/c/banks").status_code == 401
    created = client.post(f"{HMA}/c/banks", json={"name": "NCII_MAIN"}, headers=keys)
    assert created.status_code == 201
    assert created.json() == {"name": "NCII_MAIN", "matching_enabled_ratio": 1.0}
    assert {"name": "NCII_MAIN", "matching_enabled_ratio": 1.0} in client.get(
        f"{HMA}/c/banks", headers=keys
    ).json()

    photo = png(pattern(5))
    hashed = client.post(f"{HMA}/h/hash", files={"photo": ("a.png", photo)}, headers=keys)
    assert hashed.status_code == 200
    pdq = compute_signals(photo).pdq.to_hex()
    assert hashed.json() == {"pdq": pdq}

    added = client.post(
        f"{HMA}/c/bank/NCII_MAIN/signal", json={"pdq": pdq, "video_md5": "ab" * 16}, headers=keys
    )
    assert added.status_code == 200
    content_id = added.json()["id"]
    assert added.json()["signals"] == {"pdq": pdq, "video_md5": "ab" * 16}

    def lookup(signal_type: str, signal: str) -> Any:
        params = {"signal_type": signal_type, "signal": signal}
        return client.get(f"{HMA}/m/lookup", params=params, headers=keys).json()

    eventually(lambda: lookup("pdq", pdq) == ["NCII_MAIN"])
    assert lookup("pdq", _flip(pdq, 8)) == ["NCII_MAIN"]  # near, within PDQ's threshold
    assert lookup("pdq", _flip(pdq, 120)) == []
    assert lookup("video_md5", "AB" * 16) == ["NCII_MAIN"]
    raw = client.get(
        f"{HMA}/m/raw_lookup",
        params={"signal_type": "pdq", "signal": _flip(pdq, 3), "include_distance": "true"},
        headers=keys,
    )
    assert raw.json() == {"matches": [{"content_id": content_id, "distance": "3"}]}
    uploaded = client.post(f"{HMA}/m/lookup", files={"photo": ("a.png", photo)}, headers=keys)
    assert uploaded.json()["pdq"] == ["NCII_MAIN"]

    removed = client.delete(f"{HMA}/c/bank/ncii_main/content/{content_id}", headers=keys)
    assert removed.json() == {"deleted": 2}
    eventually(lambda: lookup("pdq", pdq) == [])


def test_what_consentry_refuses_is_said_as_problem_json(client: TestClient) -> None:
    keys = key_headers(client, Scope.SCAN, Scope.BANKS_READ)
    by_url = client.get(f"{HMA}/h/hash", params={"url": "http://169.254.169.254/"}, headers=keys)
    assert by_url.status_code == 400
    assert by_url.headers["content-type"].startswith("application/problem+json")
    assert "does not fetch media by URL" in by_url.json()["detail"]
    unknown = client.get(
        f"{HMA}/m/lookup", params={"signal_type": "tmk", "signal": "x"}, headers=keys
    )
    assert unknown.status_code == 400
    bad = client.get(f"{HMA}/m/lookup", params={"signal_type": "pdq", "signal": "zz"}, headers=keys)
    assert bad.status_code == 400
    assert client.get(f"{HMA}/c/exchanges", headers=keys).json() == []
    assert client.get(f"{HMA}/c/bank/NOPE", headers=keys).status_code == 404
    names = [t["name"] for t in client.get(f"{HMA}/c/signal_type", headers=keys).json()]
    assert names == ["pdq", "video_md5", "video_sha256", "vpdq"]
    assert client.post(f"{HMA}/c/banks", json={"name": "X"}, headers=keys).status_code == 403


def test_a_content_id_beyond_a_database_integer_is_refused(client: TestClient) -> None:
    """Found by the API fuzzer: 2**63 reached SQLite and failed there with a 500."""
    writer = key_headers(client, Scope.BANKS_WRITE)
    client.post(f"{HMA}/c/banks", json={"name": "NCII"}, headers=writer)
    for content_id in (2**63, 0, -1):
        gone = client.delete(f"{HMA}/c/bank/NCII/content/{content_id}", headers=writer)
        assert gone.status_code == 422
        assert gone.headers["content-type"].startswith("application/problem+json")
