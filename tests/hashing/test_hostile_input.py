import contextlib
import io
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from consentry.hashing import (
    DecodeFailed,
    EmptyFile,
    HashingError,
    ImageSignals,
    ImageTooLarge,
    TruncatedImage,
    UnsupportedFormat,
    compute_signals,
)
from tests.images import encode, jpeg, pattern, png

SMALL_JPEG = jpeg(pattern(30, 320, 240))
SMALL_PNG = png(pattern(30, 320, 240))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int, payload: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(payload, 9))
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("exact", [False, True])
def test_empty_file(exact: bool) -> None:
    with pytest.raises(EmptyFile, match="empty"):
        compute_signals(b"", exact=exact)


@pytest.mark.parametrize("data", [SMALL_JPEG, SMALL_PNG], ids=["jpeg", "png"])
@pytest.mark.parametrize("exact", [False, True])
def test_truncated_files(data: bytes, exact: bool) -> None:
    with pytest.raises(TruncatedImage, match="truncated"):
        compute_signals(data[: len(data) // 2], exact=exact)


@pytest.mark.parametrize(
    "data",
    [b"just some notes, not an image\n", b"%PDF-1.7\n", b"%!PS-Adobe-3.0 EPSF-3.0\n" + b"x" * 100],
    ids=["text", "pdf", "eps"],
)
def test_non_images_are_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFormat, match="not an image"):
        compute_signals(data)


def test_formats_we_do_not_read_are_refused_even_if_pillow_could() -> None:
    with pytest.raises(UnsupportedFormat):
        compute_signals(encode(pattern(31, 64, 64), "ICO"))


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # 40,000 x 40,000 8-bit pixels would be 1.6 GB; the compressed file is tiny.
    bomb = png_declaring(40_000, 40_000, bytes(40_001) * 64)
    assert len(bomb) < 10_000
    with pytest.raises(ImageTooLarge, match="limit of 100,000,000 pixels"):
        compute_signals(bomb)
    with pytest.raises(ImageTooLarge, match="limit of 100,000,000 pixels"):
        compute_signals(png_declaring(12_000, 12_000, b"\x00" * 100))


def test_absurd_header_dimensions() -> None:
    with pytest.raises(HashingError):
        compute_signals(png_declaring(2**31 - 1, 2**31 - 1, b"\x00" * 10))


def test_pixel_limit_is_configurable() -> None:
    with pytest.raises(ImageTooLarge, match="76,799"):
        compute_signals(SMALL_PNG, max_pixels=320 * 240 - 1)
    assert compute_signals(SMALL_PNG, max_pixels=320 * 240).width == 320


def test_gif_with_thousands_of_frames_reads_only_the_first() -> None:
    frames = [Image.new("P", (8, 8), i % 256) for i in range(3000)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=10)
    signals = compute_signals(buffer.getvalue())
    assert signals.format == "GIF"
    assert (signals.width, signals.height) == (8, 8)


def test_corrupt_data_after_a_valid_header() -> None:
    broken = SMALL_PNG[:64] + bytes(len(SMALL_PNG) - 64)
    with pytest.raises(HashingError) as caught:
        compute_signals(broken)
    assert isinstance(caught.value, DecodeFailed | TruncatedImage)
    assert caught.value.message


def _mutate(seed_file: bytes, positions: list[int], values: bytes) -> bytes:
    data = bytearray(seed_file)
    for position, value in zip(positions, values, strict=False):
        data[position % len(data)] = value
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from([SMALL_JPEG, SMALL_PNG, encode(pattern(32, 96, 64), "GIF")]),
    positions=st.lists(st.integers(0, 10**6), max_size=12),
    values=st.binary(max_size=12),
    cut=st.integers(0, 10**6),
    exact=st.booleans(),
)
def test_fuzzed_files_hash_or_fail_cleanly(
    seed: bytes, positions: list[int], values: bytes, cut: int, exact: bool
) -> None:
    data = _mutate(seed, positions, values)[: max(1, cut % (len(seed) + 1))]
    kinds = {"empty", "truncated", "unsupported_format", "too_large", "decode_error"}
    outcome: object
    try:
        outcome = compute_signals(data, exact=exact, max_pixels=4_000_000)
    except HashingError as error:
        outcome = error
    if isinstance(outcome, HashingError):
        assert outcome.kind in kinds
        assert outcome.message
    else:
        assert isinstance(outcome, ImageSignals)
        assert len(outcome.variants) == 8


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_never_escape_as_other_errors(data: bytes) -> None:
    with contextlib.suppress(HashingError):
        compute_signals(data, max_pixels=1_000_000)
