import hashlib
import io

import numpy as np
import pdqhash
import pytest
from PIL import Image

from consentry.hashing import VARIANT_NAMES, PdqHash, compute_signals
from tests.images import encode, jpeg, pattern, png

# Meta's tolerance between PDQ implementations.
TOLERANCE = 10

# Pinned so that a silent change in decoding or hashing is caught.
GOLDEN = {
    (11, 640, 480): "fe4824ffd6c8aa5350a39248ab675289a54eaab455ffad006abde501a9110fbf",
    (12, 1600, 1200): "0abde0acb7412d5e7847a6d6571f56a7a7a1af5b2ab675601552aaa5a8a85149",
}


@pytest.mark.parametrize(("seed", "width", "height"), list(GOLDEN))
def test_golden_pdq_of_generated_images(seed: int, width: int, height: int) -> None:
    signals = compute_signals(png(pattern(seed, width, height)))
    assert signals.pdq.to_hex() == GOLDEN[(seed, width, height)]


def test_exact_mode_equals_pdqhash_bit_for_bit() -> None:
    image = pattern(13, 1200, 900)
    data = jpeg(image)
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    vectors, quality = pdqhash.compute_dihedral(decoded)
    signals = compute_signals(data, exact=True)
    assert [v.to_hex() for v in signals.variants] == [
        PdqHash.from_vector(v, quality).to_hex() for v in vectors
    ]
    assert signals.quality == quality


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG", {"quality": 90}),
        ("PNG", {}),
        ("WEBP", {"quality": 90}),
        ("GIF", {}),
        ("TIFF", {}),
        ("BMP", {}),
        ("HEIF", {"quality": 90}),
        ("AVIF", {"quality": 90}),
    ],
)
def test_every_format_is_read_and_stays_within_tolerance(fmt: str, options: dict[str, int]) -> None:
    data = encode(pattern(14, 1400, 1000), fmt, **options)
    fast = compute_signals(data)
    exact = compute_signals(data, exact=True)
    assert fast.format == fmt
    assert (fast.width, fast.height) == (1400, 1000)
    assert fast.pdq.distance(exact.pdq) <= TOLERANCE
    assert fast.quality >= 50


@pytest.mark.parametrize("megapixels", [0.3, 1, 3, 12])
def test_draft_decoding_stays_within_tolerance_of_full_resolution(megapixels: float) -> None:
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    data = jpeg(pattern(15, width, height))
    fast = compute_signals(data)
    reference = PdqHash.from_vector(
        *pdqhash.compute(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    )
    assert fast.pdq.distance(reference) <= TOLERANCE


_INVERSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(2, 9))
@pytest.mark.parametrize("size", [(1203, 901), (640, 480)])
def test_exif_orientation_is_applied(orientation: int, size: tuple[int, int]) -> None:
    upright = pattern(16, *size)
    stored = upright.transpose(_INVERSE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    signals = compute_signals(jpeg(stored, exif=exif))
    expected = compute_signals(jpeg(upright))
    assert (signals.width, signals.height) == size
    assert signals.pdq.distance(expected.pdq) <= TOLERANCE
    exact = compute_signals(jpeg(stored, exif=exif), exact=True)
    assert exact.pdq.distance(signals.pdq) <= TOLERANCE


def test_transparency_is_composited_on_white() -> None:
    image = pattern(17).convert("RGBA")
    alpha = np.asarray(image).copy()
    alpha[:, :320, 3] = 0
    with_alpha = Image.fromarray(alpha, "RGBA")
    on_white = Image.alpha_composite(Image.new("RGBA", image.size, "white"), with_alpha)
    assert compute_signals(png(with_alpha)).pdq == compute_signals(png(on_white.convert("RGB"))).pdq


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "LA", "1"])
def test_other_modes_are_normalised(mode: str) -> None:
    image = pattern(18).convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    signals = compute_signals(encode(image, fmt))
    reference = compute_signals(png(image.convert("RGB")))
    assert signals.pdq.distance(reference.pdq) <= TOLERANCE


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    grey = np.asarray(pattern(19).convert("L"), dtype=np.uint16)
    wide = Image.fromarray(grey * 257)
    assert wide.mode.startswith("I")
    signals = compute_signals(png(wide))
    assert signals.pdq == compute_signals(png(Image.fromarray(grey.astype(np.uint8)))).pdq


def test_digests_are_of_the_file_bytes() -> None:
    data = png(pattern(20))
    signals = compute_signals(data)
    assert signals.sha256 == hashlib.sha256(data).hexdigest()
    assert signals.md5 == hashlib.md5(data).hexdigest()


def test_variants_find_mirrored_and_rotated_copies() -> None:
    image = pattern(21, 800, 600)
    original = compute_signals(png(image)).named_variants()
    assert original["original"] == compute_signals(png(image)).pdq
    for transpose, name in [
        (Image.Transpose.FLIP_LEFT_RIGHT, "flip_y"),
        (Image.Transpose.FLIP_TOP_BOTTOM, "flip_x"),
        (Image.Transpose.ROTATE_180, "rot180"),
    ]:
        copy = compute_signals(png(image.transpose(transpose))).pdq
        assert copy.distance(original[name]) <= TOLERANCE, name
        assert copy.distance(original["original"]) > 31
    rotated = compute_signals(png(image.transpose(Image.Transpose.ROTATE_90))).pdq
    assert min(rotated.distance(v) for v in original.values()) <= TOLERANCE
    assert len(VARIANT_NAMES) == 8


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (40, 90, 200)])
def test_trimmed_hash_sees_through_padding(colour: tuple[int, int, int]) -> None:
    image = pattern(22, 800, 600)
    padded = Image.new("RGB", (1000, 800), colour)
    padded.paste(image, (100, 100))
    plain = compute_signals(jpeg(image))
    framed = compute_signals(jpeg(padded))
    assert framed.pdq.distance(plain.pdq) > 31
    assert framed.trimmed.distance(plain.pdq) <= 31
    assert plain.trimmed == plain.pdq


def test_uniform_image_is_not_trimmed_to_nothing() -> None:
    signals = compute_signals(png(Image.new("RGB", (300, 200), (90, 90, 90))))
    assert signals.trimmed == signals.pdq
    assert signals.quality == 0
