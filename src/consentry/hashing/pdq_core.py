"""PDQ computed from a luma plane that may already be block-averaged.

Meta's reference blurs the full-resolution luma with two passes of a box
filter (Jarosz), samples 64x64 points, takes a 16x16 DCT and thresholds it at
its median. Blurring and sampling are linear and separable, so the 64x64
buffer is `Ay @ luma @ Ax.T` for two small weight matrices. Folding those
weights over blocks of `block` pixels lets us start from a plane of block
means (what a DCT-scaled JPEG decode or `Image.reduce` produces) and still
land within a few bits of the reference: the full image is never decoded.
With `block == 1` the result equals the reference bit for bit (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from consentry.hashing.pdq import PdqHash

FloatArray = npt.NDArray[np.float64]

# The order of pdqhash.compute_dihedral and of Meta's reference.
VARIANT_NAMES = (
    "original",
    "rot90",
    "rot180",
    "rot270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)


@dataclass(frozen=True, slots=True)
class Axis:
    """One image axis as blocks of pixels: `size` pixels, blocks of `block`.

    The one partial block, if any, sits at the end of the axis, or at its start
    when the axis was reversed by an orientation transform.
    """

    size: int
    block: int = 1
    partial_first: bool = False

    @property
    def block_count(self) -> int:
        return -(-self.size // self.block)

    def block_edges(self) -> npt.NDArray[np.intp]:
        """Pixel offset where each block starts."""
        remainder = self.size % self.block
        if remainder == 0 or not self.partial_first:
            return np.arange(0, self.size, self.block)
        return np.concatenate(([0], np.arange(remainder, self.size, self.block)))

    def crop(self, start: int, stop: int) -> Axis:
        """The axis made of blocks [start, stop)."""
        edges = np.append(self.block_edges(), self.size)
        first, last = int(edges[start]), int(edges[stop])
        partial_first = self.partial_first and start == 0 and self.size % self.block != 0
        return Axis(last - first, self.block, partial_first)


def _jarosz_window(size: int) -> int:
    # Reference: computeJaroszFilterWindowSize(old, 64), i.e. ceil(size / 128).
    return (size + 127) // 128


def _apply_box_on_right(weights: FloatArray, window: int) -> FloatArray:
    """`weights @ B` where B is the reference's 1-D box filter (edge-normalised)."""
    size = weights.shape[1]
    half = (window + 2) // 2
    index = np.arange(size)
    # Output i of the reference box averages inputs [i - (window - half), i + half - 1].
    low = np.maximum(index - (window - half), 0)
    high = np.minimum(index + half - 1, size - 1)
    scaled = weights / (high - low + 1)
    # Column x of the product sums the rows i whose window holds x.
    cumulative = np.concatenate(
        (np.zeros((weights.shape[0], 1)), np.cumsum(scaled, axis=1)), axis=1
    )
    start = np.clip(index - (half - 1), 0, size)
    stop = np.clip(index + (window - half) + 1, 0, size)
    product: FloatArray = cumulative[:, stop] - cumulative[:, start]
    return product


@lru_cache(maxsize=512)
def downsample_weights(axis: Axis) -> FloatArray:
    """64 x block_count weights taking block means along `axis` to PDQ's 64 samples."""
    size = axis.size
    samples = np.zeros((64, size))
    samples[np.arange(64), ((np.arange(64) + 0.5) * size / 64).astype(np.intp)] = 1.0
    window = _jarosz_window(size)
    weights = _apply_box_on_right(_apply_box_on_right(samples, window), window)
    folded = weights if axis.block == 1 else np.add.reduceat(weights, axis.block_edges(), axis=1)
    folded.setflags(write=False)
    return folded


def _dct_matrix() -> FloatArray:
    rows = np.arange(1, 17)[:, None]
    cols = np.arange(64)[None, :]
    matrix: FloatArray = np.sqrt(2.0 / 64.0) * np.cos(np.pi / 128.0 * rows * (2 * cols + 1))
    matrix.setflags(write=False)
    return matrix


_DCT = _dct_matrix()
_ODD = (np.arange(16) % 2 == 1).astype(np.float64) * 2 - 1  # +1 odd index, -1 even
_CHECKER = np.where((np.add.outer(np.arange(16), np.arange(16)) % 2) == 1, -1.0, 1.0)


def _dihedral(coefficients: FloatArray) -> list[FloatArray]:
    """The 16x16 DCTs of the 8 rotations/flips, from the original's (the reference's identities)."""
    a = coefficients
    return [
        a,
        (a * _ODD[None, :]).T,
        a * _CHECKER,
        (a * _ODD[:, None]).T,
        a * _ODD[:, None],
        a * _ODD[None, :],
        a.T,
        (a * _CHECKER).T,
    ]


def quality_of(buffer64: FloatArray) -> int:
    """The reference's image-domain quality metric over the 64x64 buffer."""
    vertical = np.trunc((buffer64[:-1, :] - buffer64[1:, :]) * 100.0 / 255.0)
    horizontal = np.trunc((buffer64[:, :-1] - buffer64[:, 1:]) * 100.0 / 255.0)
    gradient = int(np.abs(vertical).sum() + np.abs(horizontal).sum())
    return min(100, gradient // 90)


def _bits(coefficients: FloatArray) -> npt.NDArray[np.bool_]:
    flat = coefficients.ravel()
    # Torben's median in the reference returns the 128th smallest of 256.
    median = np.partition(flat, 127)[127]
    above: npt.NDArray[np.bool_] = flat > median
    return above


def hash_buffer64(buffer64: FloatArray) -> PdqHash:
    """The PDQ hash of a 64x64 luma image: the reference neither blurs nor resamples one."""
    coefficients = _DCT @ buffer64 @ _DCT.T
    return PdqHash.from_bits(_bits(coefficients), quality_of(buffer64))


def pdq_from_blocks(plane: FloatArray, rows: Axis, cols: Axis) -> tuple[list[PdqHash], int]:
    """The 8 dihedral PDQ hashes and the quality of a luma plane of block means."""
    if plane.shape != (rows.block_count, cols.block_count):
        raise ValueError("plane shape does not match its axes")
    buffer64 = downsample_weights(rows) @ plane @ downsample_weights(cols).T
    quality = quality_of(buffer64)
    coefficients = _DCT @ buffer64 @ _DCT.T
    return [PdqHash.from_bits(_bits(c), quality) for c in _dihedral(coefficients)], quality
