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
