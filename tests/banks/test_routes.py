from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from tests.conftest import key_headers

PDQ = "1f" * 32


def test_bank_api_lifecycle(client: TestClient) -> None:
    writer = key_headers(client, Scope.BANKS_WRITE)
    reader = key_headers(client, Scope.BANKS_READ)
    created = client.post("/v1/banks", json={"name": "ncii", "pdq_threshold": 25}, headers=writer)
    assert created.status_code == 201
    assert created.json()["pdq_threshold"] == 25
    duplicate = client.post("/v1/banks", json={"name": "ncii"}, headers=writer)
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"

    entries = [
        {"value": PDQ, "status": "confirmed", "quality": 90},
        {"value": PDQ},
        {"value": "zz"},
        {"signal_type": "md5", "value": "a" * 32},
    ]
    imported = client.post("/v1/banks/ncii/entries", json={"entries": entries}, headers=writer)
    assert imported.status_code == 200
    body = imported.json()
    assert (body["added"], body["unchanged"]) == (2, 1)
    assert [r["index"] for r in body["rejected"]] == [2]

    withdraw = client.post("/v1/banks/ncii/entries/withdraw", json={"value": PDQ}, headers=writer)
    assert withdraw.json()["status"] == "withdrawn"
    revive = client.post("/v1/banks/ncii/entries/confirm", json={"value": PDQ}, headers=writer)
    assert revive.status_code == 409
    again = client.post("/v1/banks/ncii/entries", json={"entries": entries[:1]}, headers=writer)
    assert again.json()["unchanged"] == 1

    shown = client.get("/v1/banks/ncii", headers=reader).json()
    assert shown["entries"] == {"pending": 1, "confirmed": 0, "withdrawn": 1, "revoked": 0}
    assert [b["name"] for b in client.get("/v1/banks", headers=reader).json()] == ["ncii"]
    export = client.get("/v1/banks/ncii/export", headers=reader)
    assert export.headers["content-type"].startswith("application/x-ndjson")
    assert len(export.text.splitlines()) == 2
    assert client.get("/v1/banks/nope", headers=reader).status_code == 404
    bad = client.post("/v1/banks/ncii/entries/withdraw", json={"value": "abc"}, headers=writer)
    assert bad.status_code == 422


def test_changes_feed_pages_through_confirmations_and_withdrawals(client: TestClient) -> None:
    writer = key_headers(client, Scope.BANKS_WRITE)
    reader = key_headers(client, Scope.BANKS_READ)
    client.post("/v1/banks", json={"name": "ncii"}, headers=writer)
    values = [f"{i:064x}" for i in range(1, 4)]
    client.post(
        "/v1/banks/ncii/entries", json={"entries": [{"value": v} for v in values]}, headers=writer
    )
    client.post("/v1/banks/ncii/entries/confirm", json={"value": values[0]}, headers=writer)
    client.post("/v1/banks/ncii/entries/withdraw", json={"value": values[1]}, headers=writer)
    seen, since = [], 0
    while True:
        page = client.get(f"/v1/banks/ncii/changes?since={since}&limit=2", headers=reader).json()
        seen += page["changes"]
        if page["next_since"] == since:
            break
        since = page["next_since"]
    assert [c["action"] for c in seen] == [
        "bank_created",
        "added",
        "added",
        "added",
        "confirmed",
        "withdrawn",
    ]
    assert [c["seq"] for c in seen] == sorted(c["seq"] for c in seen)
    assert seen[4]["value"] == values[0]
    assert seen[5]["status"] == "withdrawn"
    assert client.get("/v1/banks/ncii/changes?since=-1", headers=reader).status_code == 422
    assert client.get("/v1/banks/ncii/changes", headers=writer).status_code == 403
