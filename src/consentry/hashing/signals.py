"""From file bytes to every signal consentry matches on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pdqhash

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.hashing.content_area import content_area
from consentry.hashing.decode import decode_luma_plane, decode_upright, luma_of
from consentry.hashing.pdq import PdqHash
from consentry.hashing.pdq_core import VARIANT_NAMES, pdq_from_blocks
from consentry.hashing.trim import ContentBox, content_box
from consentry.hashing.windows import Region, window_hashes

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ImageSignals:
    """PDQ (with its 8 rotations/flips, a border-trimmed and a content-area hash),
    anchored-window hashes, digests and size."""

    pdq: PdqHash
    variants: tuple[PdqHash, ...]
    trimmed: PdqHash
    content: PdqHash
    windows: tuple[PdqHash, ...]
    sha256: str
    md5: str
    width: int
    height: int
    format: str
    # Where each window lies in the image (pixels, upright), in the order of `windows`.
    regions: tuple[Region, ...] = ()

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
            "pdq_content": self.content.to_hex(),
            "pdq_windows": [w.to_hex() for w in self.windows],
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
    content: PdqHash
    windows: list[tuple[PdqHash, Region]]
    width: int
    height: int
    format: str


def compute_signals(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, exact: bool = False, bank: bool = False
) -> ImageSignals:
    """All signals of an image file: `compute_pdq` and the byte digests.

    Raises a `HashingError` for anything that is not a readable image.
    """
    pdq = compute_pdq(data, max_pixels=max_pixels, exact=exact, bank=bank)
    sha256, md5 = digests(data)
    return ImageSignals(
        pdq.variants[0],
        tuple(pdq.variants),
        pdq.trimmed,
        pdq.content,
        tuple(hash_ for hash_, _ in pdq.windows),
        sha256,
        md5,
        pdq.width,
        pdq.height,
        pdq.format,
        tuple(region for _, region in pdq.windows),
    )


def compute_pdq(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, exact: bool = False, bank: bool = False
) -> PdqSignals:
    """PDQ, its 8 rotations/flips, the border-trimmed and content-area PDQ and the
    anchored windows of an image file.

    By default the image is decoded only as far as PDQ needs (block means), which
    keeps the hash within a few bits of the reference at a fraction of the cost.
    `exact=True` decodes every pixel and calls Meta's reference (`pdqhash`), bit for bit.
    Windows are taken over the whole image for a bank (`bank=True`), and over the
    content area, as a copy is looked up, otherwise.
    """
    return _exact(data, max_pixels, bank) if exact else _fast(data, max_pixels, bank)


def content_pdq(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> PdqHash:
    """The image's PDQ as it is (no variants, no windows): what the content index keeps
    of a platform's existing content, at a fraction of `compute_pdq`'s work."""
    plane = decode_luma_plane(data, max_pixels=max_pixels)
    return pdq_from_blocks(plane.values, plane.rows, plane.cols)[0][0]


def _windows(
    luma: FloatArray, area: ContentBox, bank: bool, block: float = 1.0
) -> list[tuple[PdqHash, Region]]:
    """The windows of the whole plane (a bank) or of its content area (a query), with
    their regions in image pixels (`block`: image pixels per plane pixel)."""
    box = ContentBox(0, luma.shape[0], 0, luma.shape[1]) if bank else area
    found = window_hashes(_inside(luma, box), query=not bank)
    return [
        (hash_, region.moved(scale=1.0, dx=box.left, dy=box.top).moved(scale=block, dx=0, dy=0))
        for hash_, region in found
    ]


def _inside(plane: FloatArray, box: ContentBox) -> FloatArray:
    return np.ascontiguousarray(plane[box.top : box.bottom, box.left : box.right])


def _fast(data: bytes, max_pixels: int, bank: bool) -> PdqSignals:
    plane = decode_luma_plane(data, max_pixels=max_pixels)
    hashes, _ = pdq_from_blocks(plane.values, plane.rows, plane.cols)

    def hash_of(box: ContentBox) -> PdqHash:
        if box.is_whole(plane.values.shape):
            return hashes[0]
        rows = plane.rows.crop(box.top, box.bottom)
        cols = plane.cols.crop(box.left, box.right)
        return pdq_from_blocks(_inside(plane.values, box), rows, cols)[0][0]

    area = content_area(plane.values)
    return PdqSignals(
        hashes,
        hash_of(content_box(plane.values)),
        hash_of(area),
        _windows(plane.values, area, bank, plane.width / plane.values.shape[1]),
        plane.width,
        plane.height,
        plane.format,
    )


def _reference(rgb: np.ndarray[Any, Any]) -> list[PdqHash]:
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    return [PdqHash.from_vector(v, int(quality)) for v in vectors]


def _exact(data: bytes, max_pixels: int, bank: bool) -> PdqSignals:
    image, fmt = decode_upright(data, max_pixels=max_pixels)
    rgb = np.asarray(image.convert("RGB"))
    hashes = _reference(rgb)
    luma = luma_of(image)

    def hash_of(box: ContentBox) -> PdqHash:
        if box.is_whole(luma.shape):
            return hashes[0]
        return _reference(rgb[box.top : box.bottom, box.left : box.right])[0]

    area = content_area(luma)
    return PdqSignals(
        hashes,
        hash_of(content_box(luma)),
        hash_of(area),
        _windows(luma, area, bank),
        image.width,
        image.height,
        fmt,
    )
