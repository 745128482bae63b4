from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from consentry.accounts.models import Scope
from consentry.config import Settings
from consentry.hashing import compute_signals
from tests.conftest import key_headers, running
from tests.images import jpeg, pattern, png

Headers = dict[str, str]

PROBLEM = "application/problem+json"


def test_hash_returns_the_signals_and_no_path(
    shared_client: TestClient, shared_scan_headers: Headers
) -> None:
    data = jpeg(pattern(40))
    response = shared_client.post(
        "/v1/hash", headers=shared_scan_headers, files={"file": ("upload.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 200
    body = response.json()
    assert "path" not in body
    assert body == compute_signals(data, bank=True).to_json()
    assert len(body["pdq_variants"]) == 8
    assert body["pdq_variants"][0] == body["pdq"]


def test_content_is_judged_by_its_bytes_not_its_name(
    shared_client: TestClient, shared_scan_headers: Headers
) -> None:
    data = png(pattern(41))
    response = shared_client.post(
        "/v1/hash", headers=shared_scan_headers, files={"file": ("photo.jpg", data, "image/jpeg")}
    )
    assert response.status_code == 200
    assert response.json()["format"] == "PNG"


def test_not_an_image_is_415(shared_client: TestClient, shared_scan_headers: Headers) -> None:
    response = shared_client.post(
        "/v1/hash",
        headers=shared_scan_headers,
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["error_type"] == "unsupported_format"
    assert body["detail"] == "not an image file, or not a format consentry reads"


def test_truncated_and_empty_are_422(
    shared_client: TestClient, shared_scan_headers: Headers
) -> None:
    data = jpeg(pattern(42))
    truncated = shared_client.post(
        "/v1/hash",
        headers=shared_scan_headers,
        files={"file": ("a.jpg", data[:2000], "image/jpeg")},
    )
    assert truncated.status_code == 422
    assert truncated.json()["error_type"] == "truncated"
    empty = shared_client.post(
        "/v1/hash", headers=shared_scan_headers, files={"file": ("a.jpg", b"", "image/jpeg")}
    )
    assert empty.status_code == 422
    assert empty.json()["error_type"] == "empty"


def test_missing_file_field_is_422_with_the_field_named(
    shared_client: TestClient, shared_scan_headers: Headers
) -> None:
    response = shared_client.post(
        "/v1/hash", headers=shared_scan_headers, files={"other": ("a.jpg", b"x", "image/jpeg")}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert any(error["field"] == "body.file" for error in response.json()["errors"])


def test_over_the_pixel_limit_is_422(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_image_pixels=1000)
    with running(settings) as client:
        scan_headers = key_headers(client, Scope.SCAN)
        response = client.post(
            "/v1/hash",
            headers=scan_headers,
            files={"file": ("a.png", png(pattern(43)), "image/png")},
        )
    assert response.status_code == 422
    assert response.json()["error_type"] == "too_large"


def test_over_the_size_limit_is_413_before_reading(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_upload_bytes=10_000)
    data = png(pattern(44))
    assert len(data) > 10_000
    with running(settings) as client:
        scan_headers = key_headers(client, Scope.SCAN)
        response = client.post(
            "/v1/hash", headers=scan_headers, files={"file": ("a.png", data, "image/png")}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["limit"] == 10_000

        # Without Content-Length the limit is enforced while the body streams in.
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            b"Content-Type: image/png\r\n\r\n" + data + b"\r\n--b--\r\n"
        )

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        streamed = client.post(
            "/v1/hash",
            headers={**scan_headers, "content-type": "multipart/form-data; boundary=b"},
            content=chunks(),
        )
        assert streamed.status_code == 413
        assert streamed.headers["content-type"] == PROBLEM
