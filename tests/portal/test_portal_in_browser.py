"""The portal in a real headless Chromium against a real `consentry serve`: a request
with photos hashed on the device, proof that no image byte is sent, the status page."""

from __future__ import annotations

import hashlib
from pathlib import Path

from consentry.hashing.pdq import PdqHash
from tests.portal.browser_support import (
    SCREENSHOTS,
    fill_request,
    pick_photos,
    portal,
    recording_page,
    reference_pdq,
    write_photos,
)


def test_a_request_with_three_photos_sends_only_hashes_and_form_fields(tmp_path: Path) -> None:
    photos = write_photos(tmp_path / "photos", 3)
    photo_bytes = [p.read_bytes() for p in photos]
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        page = recorded.page
        page.goto(f"{base}/")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "portal-home.png"), full_page=True)
        page.get_by_role("link", name="Ask for removal").first.click()
        tokens = pick_photos(page, photos)
        fill_request(page)
        page.screenshot(path=str(SCREENSHOTS / "portal-request.png"), full_page=True)
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("heading", name="Your request was received").wait_for()
        page.screenshot(path=str(SCREENSHOTS / "portal-receipt.png"), full_page=True)
        reference = page.locator("#reference").inner_text().strip()
        pin = page.locator("#pin").inner_text().strip()
        assert "cannot be recovered" in page.content()

    # Every hash: a PDQ (with quality) and a SHA-256 per photo, as the reference computes.
    pdq = [t.split(":")[:3] for t in tokens if t.startswith("pdq:")]
    sha = sorted(t.split(":")[1] for t in tokens if t.startswith("sha256:"))
    assert len(pdq) == 3
    assert len(sha) == 3
    assert sha == sorted(hashlib.sha256(b).hexdigest() for b in photo_bytes)
    for (_, value, _quality), data in zip(pdq, photo_bytes, strict=True):
        assert PdqHash.from_hex(value).distance(reference_pdq(data)) <= 10

    # Privacy: nothing left this page but form fields and hashes, and only to us.
    assert recorded.errors == []
    # Thumbnails are blob: URLs of this origin: made and read on the device.
    assert all(r.url.startswith((base, f"blob:{base}")) for r in recorded.requests)
    sent = [r for r in recorded.requests if r.method != "GET"]
    assert len(sent) == 1
    assert sent[0].url == f"{base}/request"
    body = sent[0].post_data_buffer or b""
    assert sent[0].headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert len(body) < 64_000
    assert any(t.startswith("pdq_windows:") for t in tokens)  # window hashes travel too
    for data in photo_bytes:
        for start in range(0, len(data) - 32, max(1, len(data) // 50)):
            assert data[start : start + 32] not in body
    assert reference.startswith("CS-")
    assert len(pin) == 14
