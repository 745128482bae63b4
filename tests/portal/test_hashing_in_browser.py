"""Our JavaScript PDQ, MD5 and SHA-256, run in Chromium through the portal's own page,
against Meta's reference (`pdqhash`) and Python's hashlib."""

from __future__ import annotations

import hashlib
import io
import statistics
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image

from consentry.hashing.pdq import PdqHash
from tests.images import jpeg, pattern, png
from tests.portal.browser_support import pick_photos, portal, recording_page, reference_pdq

# RFC 1321, appendix A.5.
MD5_VECTORS = {
    "": "d41d8cd98f00b204e9800998ecf8427e",
    "a": "0cc175b9c0f1b6a831c399e269772661",
    "abc": "900150983cd24fb0d6963f7d28e17f72",
    "message digest": "f96b697d7cb7938d525a2f31aaf161d0",
    "abcdefghijklmnopqrstuvwxyz": "c3fcd3d76192e4007dfb496cca67e13b",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789": (
        "d174ab98d277d9f5a5611c2c9f419d9f"
    ),
    "1234567890" * 8: "57edf4a22be3c955ac49da2e2107b67a",
}


def _with_orientation(image: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(image, exif=exif.tobytes())


def _photos(folder: Path) -> list[Path]:
    """Sizes from thumbnail to 12 MP, JPEG and PNG, and EXIF-rotated JPEGs."""
    folder.mkdir()
    made: dict[str, bytes] = {}
    sizes = [(320, 240), (640, 480), (1024, 768), (1600, 1200), (2000, 1500), (4000, 3000)]
    for seed, (width, height) in enumerate(sizes):
        made[f"size-{seed}.jpg"] = jpeg(pattern(seed, width, height))
        made[f"size-{seed}.png"] = png(pattern(seed + 50, height, width))
    for orientation in (3, 6, 8):
        made[f"exif-{orientation}.jpg"] = _with_orientation(
            pattern(orientation, 900, 500), orientation
        )
    paths = []
    for name, data in made.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_browser_pdq_is_within_10_bits_of_the_reference(tmp_path: Path) -> None:
    photos = _photos(tmp_path / "photos")
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        recorded.page.goto(f"{base}/request")
        tokens = pick_photos(recorded.page, photos)
    pdq = [t.split(":")[:3] for t in tokens if t.startswith("pdq:")]
    assert len(pdq) == len(photos)
    distances = []
    for (_, value, quality), path in zip(pdq, photos, strict=True):
        reference = reference_pdq(path.read_bytes())
        distances.append(PdqHash.from_hex(value).distance(reference))
        assert abs(int(quality) - (reference.quality or 0)) <= 5, path.name
    assert max(distances) <= 10, dict(zip((p.name for p in photos), distances, strict=True))
    assert statistics.median(distances) <= 4


def test_a_photo_the_browser_cannot_open_gets_a_message_and_a_suggestion(tmp_path: Path) -> None:
    heic = tmp_path / "iphone.heic"
    pillow_heif.from_pillow(pattern(1)).save(heic, quality=80)
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        recorded.page.goto(f"{base}/request")
        assert pick_photos(recorded.page, [heic]) == []
        message = recorded.page.locator("#photo-list .photo-status").inner_text()
    assert "HEIC" in message
    assert "JPEG" in message


def test_md5_and_sha256_match_the_rfc_vectors_and_hashlib_across_chunks(tmp_path: Path) -> None:
    data = np.random.default_rng(7).integers(0, 256, 200_003, dtype=np.uint8).tobytes()
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        recorded.page.goto(f"{base}/request")
        results = recorded.page.evaluate(
            """async ([vectors, data]) => {
                const { Md5, Sha256 } = await import("/portal/static/digests.js");
                const text = new TextEncoder();
                const md5 = Object.fromEntries(Object.keys(vectors).map(
                    (k) => [k, new Md5().update(text.encode(k)).digestHex()]));
                const bytes = Uint8Array.from(data);
                const chunked = (Hash) => {
                    const hash = new Hash();
                    for (const size of [0, 1, 63, 64, 65, 1000, 4096]) {
                        hash.update(bytes.subarray(0, 0));
                    }
                    let offset = 0;
                    for (const size of [1, 63, 64, 65, 127, 1000, 55, 56, 57]) {
                        hash.update(bytes.subarray(offset, offset + size));
                        offset += size;
                    }
                    return hash.update(bytes.subarray(offset)).digestHex();
                };
                return { md5, chunkedMd5: chunked(Md5), chunkedSha: chunked(Sha256) };
            }""",
            [MD5_VECTORS, list(data)],
        )
    assert results["md5"] == MD5_VECTORS
    assert results["chunkedMd5"] == hashlib.md5(data).hexdigest()
    assert results["chunkedSha"] == hashlib.sha256(data).hexdigest()


def test_a_video_is_hashed_in_chunks_with_md5_and_sha256(tmp_path: Path) -> None:
    # Not a real video: the digests read bytes, and 20 MB spans three 8 MB chunks.
    video = tmp_path / "clip.mp4"
    data = np.random.default_rng(3).integers(0, 256, 20 * 1024 * 1024 + 5, dtype=np.uint8)
    video.write_bytes(data.tobytes())
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        recorded.page.goto(f"{base}/request")
        tokens = pick_photos(recorded.page, [video])
        status = recorded.page.locator("#photo-list .photo-status").inner_text()
    # Tokens are kind:value:quality:photo; a video has no quality. Random bytes have no
    # frames to read: the digests alone go, and the page says what that means.
    assert sorted(":".join(t.split(":")[:2]) for t in tokens) == [
        f"md5:{hashlib.md5(data.tobytes()).hexdigest()}",
        f"sha256:{hashlib.sha256(data.tobytes()).hexdigest()}",
    ]
    assert "only exact copies" in status


def test_decoding_honours_exif_orientation(tmp_path: Path) -> None:
    image = pattern(11, 600, 300)
    upright = _with_orientation(image, 1)
    rotated = tmp_path / "rotated.jpg"
    rotated.write_bytes(_with_orientation(image.transpose(Image.Transpose.ROTATE_90), 6))
    plain = tmp_path / "plain.jpg"
    plain.write_bytes(upright)
    with portal(tmp_path) as (browser, base):
        recorded = recording_page(browser, base)
        recorded.page.goto(f"{base}/request")
        tokens = pick_photos(recorded.page, [plain, rotated])
    first, second = (PdqHash.from_hex(t.split(":")[1]) for t in tokens if t.startswith("pdq:"))
    assert first.distance(second) <= 16  # the same picture, once stored on its side
    assert Image.open(io.BytesIO(rotated.read_bytes())).size == (300, 600)
