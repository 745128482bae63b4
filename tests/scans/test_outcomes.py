"""A platform records what it decided about a matched upload; only the key that made the
scan speaks for it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from tests.cases.support import eventually
from tests.helpers import key_headers

PDQ = "ab" * 32


def test_the_scanning_key_records_its_decision(client: TestClient) -> None:
    writer = key_headers(client, Scope.BANKS_WRITE)
    scanner, other = key_headers(client, Scope.SCAN), key_headers(client, Scope.SCAN)
    client.post("/v1/banks", json={"name": "ncii"}, headers=writer)
    entry = {"value": PDQ, "status": "confirmed"}
    client.post("/v1/banks/ncii/entries", json={"entries": [entry]}, headers=writer)

    def scan() -> dict[str, object]:
        answer = client.post("/v1/scan", json={"pdq": PDQ}, headers=scanner)
        return dict(answer.json())

    eventually(lambda: bool(scan()["matches"]))
    scan_id = scan()["scan_id"]
    url = f"/v1/scans/{scan_id}/outcome"
    decided = client.post(url, json={"outcome": "not_blocked"}, headers=scanner)
    assert decided.status_code == 200
    assert decided.json() == {"scan_id": scan_id, "outcome": "not_blocked"}
    assert client.post(url, json={"outcome": "blocked"}, headers=other).status_code == 404
    assert client.post(url, json={"outcome": "maybe"}, headers=scanner).status_code == 422
    missing = client.post("/v1/scans/999999/outcome", json={"outcome": "blocked"}, headers=scanner)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
