"""The portal's window hashing (windows.js) against the server's (hashing/windows.py), in
Chromium: the same luma gives the same windows; a photo hashed on the device matches its
edited copies scanned by the server; ten photos stay under 64 KB of form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from consentry.hashing.decode import luma_of
from consentry.hashing.pdq import PdqHash
from consentry.hashing.signals import compute_signals
from consentry.hashing.windows import windows_of
from tests.images import blobs, jpeg, png
from tests.portal.browser_support import fill_request, pick_photos, portal, recording_page

SHARED_PHOTOS = Path(__file__).resolve().parents[3] / "shared" / "data" / "photos-bsds500"

_WINDOWS_OF = """async ([h, w, values]) => {
    const { windowsOf } = await import("/portal/static/windows.js");
    return windowsOf({ h, w, v: Float64Array.from(values) });
}"""


def _lumas() -> dict[str, np.ndarray[Any, Any]]:
    planes = {f"blobs-{seed}": luma_of(blobs(seed, 480, 360)) for seed in range(2)}
    planes["blobs-portrait"] = luma_of(blobs(9, 300, 400))
    for path in sorted(SHARED_PHOTOS.glob("*.jpg"))[:2]:
        planes[path.name] = luma_of(Image.open(path).convert("RGB"))
    return planes


def test_the_browser_finds_the_windows_python_finds(tmp_path: Path) -> None:
    compared = exact = 0
    with portal(tmp_path) as (browser, base):
        page = recording_page(browser, base).page
        page.goto(f"{base}/request")
        for name, luma in _lumas().items():
            ours = windows_of(luma)
            theirs = page.evaluate(
                _WINDOWS_OF, [luma.shape[0], luma.shape[1], luma.ravel().tolist()]
            )
            assert len(theirs) == len(ours), name
            for window, other in zip(ours, theirs, strict=True):
                assert abs(window.x - other["x"]) < 1e-6
                assert abs(window.side - other["side"]) < 1e-6
                distance = window.pdq.distance(PdqHash.from_hex(other["hash"]))
                assert distance <= 2, name  # a coefficient at the median may round either way
                compared += 1
                exact += distance == 0
    assert compared >= 20
    assert exact >= 0.95 * compared


def test_a_photo_hashed_on_the_device_matches_its_edited_copies(tmp_path: Path) -> None:
    original = blobs(4, 800, 600)
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(original))
    with portal(tmp_path) as (browser, base):
        page = recording_page(browser, base).page
        page.goto(f"{base}/request")
        tokens = pick_photos(page, [photo])
    device = [PdqHash.from_hex(t.split(":")[1]) for t in tokens if t.startswith("pdq_windows:")]
    assert len(device) >= 5
    w, h = original.size
    copies = {
        "cropped": original.crop((60, 50, w - 70, h - 40)),
        "tilted": original.rotate(3, resample=Image.Resampling.BICUBIC),
        "shrunk": original.resize((480, 360), Image.Resampling.BICUBIC),
    }
    for name, copy in copies.items():
        query = compute_signals(jpeg(copy, quality=80)).windows
        assert min(q.distance(d) for q in query for d in device) <= 31, name


@pytest.mark.slow
def test_ten_photos_send_under_64_kilobytes(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    photos = []
    for seed in range(10):
        path = folder / f"photo-{seed}.jpg"
        path.write_bytes(jpeg(blobs(seed + 20, 1200, 900)))
        photos.append(path)
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        page = recorded.page
        page.goto(f"{base}/request")
        tokens = pick_photos(page, photos)
        fill_request(page)
        page.get_by_role("button", name="Send request").click()
        page.get_by_role("heading", name="Your request was received").wait_for()
    assert sum(t.startswith("pdq_windows:") for t in tokens) >= 50
    sent = [r for r in recorded.requests if r.method != "GET"]
    assert len(sent) == 1
    assert len(sent[0].post_data_buffer or b"") < 64 * 1024
