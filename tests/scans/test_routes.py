import time

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from consentry.accounts.models import Scope
from consentry.banks import batches, service
from consentry.banks.images import image_entries
from consentry.banks.models import EntryStatus
from consentry.core.actor import SYSTEM
from consentry.db.session import session_scope
from consentry.hashing import compute_signals
from consentry.scans.models import ScanCounter, ScanMatch, ScanRecord
from tests.conftest import key_headers
from tests.images import blobs, jpeg, pattern, png

Headers = dict[str, str]


def bank_with(
    client: TestClient, value: str, status: str = "confirmed", signal: str = "pdq"
) -> None:
    writer = key_headers(client, Scope.BANKS_WRITE)
    client.post("/v1/banks", json={"name": "ncii"}, headers=writer)
    response = client.post(
        "/v1/banks/ncii/entries",
        json={"entries": [{"signal_type": signal, "value": value, "status": status}]},
        headers=writer,
    )
    assert response.json()["added"] == 1


def scan_until(
    client: TestClient, headers: Headers, body: dict[str, object], verdict: str
) -> dict[str, object]:
    """The service follows the bank change log; a new entry matches within a second."""
    deadline = time.monotonic() + 5
    while True:
        result: dict[str, object] = client.post("/v1/scan", json=body, headers=headers).json()
        if result["verdict"] == verdict or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def test_scan_by_hash_matches_and_records(client: TestClient, scan_headers: Headers) -> None:
    value = compute_signals(png(pattern(90))).pdq.to_hex()
    bank_with(client, value)
    result = scan_until(
        client, scan_headers, {"pdq": value, "content_id": "upload-1"}, "auto_action"
    )
    assert result["verdict"] == "auto_action"
    assert result["content_id"] == "upload-1"
    assert isinstance(result["scan_id"], int)
    matches = result["matches"]
    assert isinstance(matches, list)
    [match] = matches
    assert match["tier"] == "auto"
    miss = client.post("/v1/scan", json={"pdq": "0" * 64}, headers=scan_headers).json()
    assert miss == {
        "verdict": "no_match",
        "scan_id": None,
        "content_id": None,
        "query_quality": None,
        "low_quality": None,
        "matches": [],
    }
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        records = session.scalars(select(ScanRecord)).all()
        assert [(r.content_id, r.verdict) for r in records] == [("upload-1", "auto_action")]
        assert session.scalar(select(func.count()).select_from(ScanMatch)) == 1


def test_scan_an_image_upload(client: TestClient, scan_headers: Headers) -> None:
    image = pattern(91)
    bank_with(client, compute_signals(png(image)).pdq.to_hex(), status="pending")
    data = jpeg(image)
    deadline = time.monotonic() + 5
    while True:
        response = client.post(
            "/v1/scan",
            files={"file": ("u.jpg", data, "image/jpeg")},
            data={"content_id": "upload-2"},
            headers=scan_headers,
        )
        body = response.json()
        if body["verdict"] != "no_match" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert response.status_code == 200
    assert body["verdict"] == "review"  # pending entries are for a human
    assert body["query_quality"] >= 50
    assert body["low_quality"] is False


def test_batch_scan(client: TestClient, scan_headers: Headers) -> None:
    digest = "ab" * 32
    bank_with(client, digest, signal="sha256")
    scan_until(client, scan_headers, {"sha256": digest}, "auto_action")
    items = [{"sha256": digest, "content_id": "a"}, {"md5": "c" * 32, "content_id": "b"}]
    response = client.post("/v1/scan/batch", json={"items": items}, headers=scan_headers)
    assert response.status_code == 200
    assert [r["verdict"] for r in response.json()["results"]] == ["auto_action", "no_match"]
    too_many = client.post("/v1/scan/batch", json={"items": items * 51}, headers=scan_headers)
    assert too_many.status_code == 422


def test_bad_scan_requests_are_problems(client: TestClient, scan_headers: Headers) -> None:
    for body in ({}, {"pdq": "xyz"}, {"pdq": "0" * 64, "md5": "0" * 32}, {"sha1": "0" * 40}):
        response = client.post("/v1/scan", json=body, headers=scan_headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    not_json = client.post(
        "/v1/scan", content=b"{", headers={**scan_headers, "content-type": "application/json"}
    )
    assert not_json.status_code == 422
    text = client.post(
        "/v1/scan", files={"file": ("a.txt", b"hi", "text/plain")}, headers=scan_headers
    )
    assert text.status_code == 415


def test_counters_are_flushed(client: TestClient, scan_headers: Headers) -> None:
    for _ in range(3):
        client.post("/v1/scan", json={"md5": "e" * 32}, headers=scan_headers)
    deadline = time.monotonic() + 5
    total = 0
    while total < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
            total = (
                session.scalar(
                    select(func.coalesce(func.sum(ScanCounter.count), 0)).where(
                        ScanCounter.verdict == "no_match"
                    )
                )
                or 0
            )
    assert total == 3


def _bank_image(client: TestClient, image_png: bytes) -> list[str]:
    """The image added as one group (as `consentry bank add` does); its window values."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        bank = service.create_bank(actor=SYSTEM, session=session, name="ncii")
        entries = image_entries(
            compute_signals(image_png, bank=True), label="beach.png", status=EntryStatus.CONFIRMED
        )
        batches.add_entries(session=session, bank=bank, batch=entries, actor=SYSTEM, groups={})
    return [e.value for e in entries if e.signal_type == "pdq_windows"]


def test_a_cropped_tilted_upload_is_a_window_match_for_review(
    client: TestClient, scan_headers: Headers
) -> None:
    original = blobs(12, 800, 600)
    _bank_image(client, png(original))
    copy = original.rotate(3, resample=Image.Resampling.BICUBIC).crop((90, 70, 720, 540))
    deadline = time.monotonic() + 5
    while True:
        body = client.post(
            "/v1/scan", files={"file": ("u.jpg", jpeg(copy), "image/jpeg")}, headers=scan_headers
        ).json()
        if body["verdict"] != "no_match" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert body["verdict"] == "review"  # the bank did not opt in to automatic windows
    [match] = [m for m in body["matches"] if m["signal_type"] == "pdq_windows"]
    assert match["variant"] == "window"
    assert match["label"] == "beach.png"
    assert match["windows"] >= 1
    assert isinstance(match["group"], int)
    region = match["region"]  # where in the upload, for the reviewer's outline
    assert 0 <= region["x"] <= 630
    assert 0 <= region["y"] <= 470
    assert (region["width"], region["height"]) == (630, 470)
    with session_scope(client.app.state.engine) as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(ScanMatch)).all()
        assert [m.windows for m in stored] == [match["windows"]]
        assert [m.region for m in stored] == [region]


def test_a_platform_scans_by_its_own_window_hashes(
    client: TestClient, scan_headers: Headers
) -> None:
    windows = _bank_image(client, png(blobs(13)))
    result = scan_until(client, scan_headers, {"pdq_windows": windows[:3]}, "review")
    matches = result["matches"]
    assert isinstance(matches, list)
    [match] = matches
    assert match["windows"] == 3
    assert match["region"] is None  # hashes alone say nothing of where
    too_many = client.post("/v1/scan", json={"pdq_windows": windows * 50}, headers=scan_headers)
    assert too_many.status_code == 422
    wrong = client.post("/v1/scan", json={"pdq_windows": "ab" * 32}, headers=scan_headers)
    assert wrong.status_code == 422
