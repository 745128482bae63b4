"""From file bytes to every signal consentry matches on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pdqhash

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.hashing.decode import decode_luma_plane, decode_upright, luma_of
from consentry.hashing.pdq import PdqHash
from consentry.hashing.pdq_core import VARIANT_NAMES, pdq_from_blocks
from consentry.hashing.trim import content_box


@dataclass(frozen=True, slots=True)
class ImageSignals:
    """PDQ (with its 8 rotations/flips and a border-trimmed hash), digests and size."""

    pdq: PdqHash
    variants: tuple[PdqHash, ...]
    trimmed: PdqHash
    sha256: str
    md5: str
    width: int
    height: int
    format: str

    @property
    def quality(self) -> int:
        return self.pdq.quality or 0

    def named_variants(self) -> dict[str, PdqHash]:
        return dict(zip(VARIANT_NAMES, self.variants, strict=True))

    def to_json(self) -> dict[str, Any]:
        return {
            "pdq": self.pdq.to_hex(),
            "pdq_quality": self.quality,
            "pdq_variants": [v.to_hex() for v in self.variants],
            "pdq_trimmed": self.trimmed.to_hex(),
            "sha256": self.sha256,
            "md5": self.md5,
            "width": self.width,
            "height": self.height,
            "format": self.format,
        }


def digests(data: bytes) -> tuple[str, str]:
    """SHA-256 and MD5 of the bytes (MD5 because StopNCII and others share it)."""
    return hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class PdqSignals:
    """The perceptual part of an image's signals."""

    variants: list[PdqHash]
    trimmed: PdqHash
    width: int
    height: int
    format: str


def compute_signals(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, exact: bool = False
) -> ImageSignals:
    """All signals of an image file: `compute_pdq` and the byte digests.

    Raises a `HashingError` for anything that is not a readable image.
    """
    pdq = compute_pdq(data, max_pixels=max_pixels, exact=exact)
    sha256, md5 = digests(data)
    return ImageSignals(
        pdq.variants[0],
        tuple(pdq.variants),
        pdq.trimmed,
        sha256,
        md5,
        pdq.width,
        pdq.height,
        pdq.format,
    )


def compute_pdq(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, exact: bool = False
) -> PdqSignals:
    """PDQ, its 8 rotations/flips and the border-trimmed PDQ of an image file.

    By default the image is decoded only as far as PDQ needs (block means), which
    keeps the hash within a few bits of the reference at a fraction of the cost.
    `exact=True` decodes every pixel and calls Meta's reference (`pdqhash`), bit for bit.
    """
    return _exact(data, max_pixels) if exact else _fast(data, max_pixels)


def _fast(data: bytes, max_pixels: int) -> PdqSignals:
    plane = decode_luma_plane(data, max_pixels=max_pixels)
    hashes, _ = pdq_from_blocks(plane.values, plane.rows, plane.cols)
    box = content_box(plane.values)
    trimmed = hashes[0]
    if not box.is_whole(plane.values.shape):
        inner = plane.values[box.top : box.bottom, box.left : box.right]
        rows = plane.rows.crop(box.top, box.bottom)
        cols = plane.cols.crop(box.left, box.right)
        trimmed = pdq_from_blocks(np.ascontiguousarray(inner), rows, cols)[0][0]
    return PdqSignals(hashes, trimmed, plane.width, plane.height, plane.format)


def _reference(rgb: np.ndarray[Any, Any]) -> list[PdqHash]:
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    return [PdqHash.from_vector(v, int(quality)) for v in vectors]


def _exact(data: bytes, max_pixels: int) -> PdqSignals:
    image, fmt = decode_upright(data, max_pixels=max_pixels)
    rgb = np.asarray(image.convert("RGB"))
    hashes = _reference(rgb)
    box = content_box(luma_of(image))
    trimmed = hashes[0]
    if not box.is_whole(rgb.shape):
        trimmed = _reference(rgb[box.top : box.bottom, box.left : box.right])[0]
    return PdqSignals(hashes, trimmed, image.width, image.height, fmt)
