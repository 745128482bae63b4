"""An identical copy of an image whose bank hash came from Meta's reference PDQ (a
partner's, StopNCII's) is automatic, as one hashed here would be; a re-encoded copy a
few bits away is not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.hashing.signals import compute_pdq
from tests.cases.support import eventually
from tests.helpers import key_headers
from tests.images import blobs, jpeg

# A generated image on which the fast hasher and the reference differ by two bits.
IMAGE = jpeg(blobs(0, 641, 479), 85)


def test_a_reference_hashed_bank_entry_is_automatic_for_an_identical_copy(
    client: TestClient,
) -> None:
    reference = compute_pdq(IMAGE, exact=True).variants[0]
    fast = compute_pdq(IMAGE).variants[0]
    assert 0 < fast.distance(reference) <= 8  # the drift this is about
    writer = key_headers(client, Scope.BANKS_WRITE)
    scanner = key_headers(client, Scope.SCAN)
    assert client.post("/v1/banks", json={"name": "partner"}, headers=writer).status_code == 201
    entry = {"value": reference.to_hex(), "status": "confirmed", "quality": 90}
    client.post("/v1/banks/partner/entries", json={"entries": [entry]}, headers=writer)

    def scan(data: bytes) -> dict[str, object]:
        answer = client.post("/v1/scan", files={"file": ("a.jpg", data)}, headers=scanner)
        assert answer.status_code == 200, answer.text
        [match] = [m for m in answer.json()["matches"] if m["signal_type"] == "pdq"]
        return dict(match)

    def matched() -> bool:  # the worker's index follows the bank within a second or so
        answer = client.post("/v1/scan", files={"file": ("a.jpg", IMAGE)}, headers=scanner)
        return bool(answer.json()["matches"])

    eventually(matched)
    identical = scan(IMAGE)
    assert (identical["tier"], identical["distance"], identical["variant"]) == (
        "auto",
        0,
        "reference",
    )
    reencoded = jpeg(blobs(0, 641, 479), 70)
    assert compute_pdq(reencoded, exact=True).variants[0].distance(reference) > 0
    assert scan(reencoded)["tier"] == "review"
