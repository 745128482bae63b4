"""consentry's keypoint detector: scale-space blobs a copy's crop, scale and tilt move with.

Deterministic and specified (docs/keypoints.md) so that the browser (portal/static/
windows.js) finds the same points as this module: both follow the same steps in
float64, loop for loop. Kept as plain loops (numba) for that reason: a vectorised or
library version would round differently and drift from the JavaScript.

Steps: the luma is resampled to WORK_SIDE pixels on its long side (the working
plane); a pyramid of 2x2 means gives one octave per level; in each octave the
scale-normalised determinant of the Hessian is taken at five Gaussian scales, and
its local maxima over space and scale, refined to sub-pixel, are the keypoints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]

WORK_SIDE = 512  # long side of the working plane
MIN_WORK_SHORT_SIDE = 64  # a thinner image has no keypoints worth anchoring on
OCTAVES = 4
LEVELS = 5  # Gaussian scales per octave; extrema are sought on the middle three
BASE_SIGMA = 1.6
MIN_OCTAVE_SIDE = 24
# Scale-normalised DoH (luma units squared) below which nothing is a keypoint: flat
# or near-flat regions, where positions would be noise.
MIN_RESPONSE = 20.0


@dataclass(frozen=True, slots=True)
class Keypoint:
    """A blob on the working plane: centre (x, y) in pixels, scale, strength."""

    x: float
    y: float
    sigma: float
    response: float


@njit(cache=True)
def _taps(size_in, size_out):  # type: ignore[no-untyped-def]
    """Per output sample: the first input index and up to `width` weights (area when
    shrinking, linear when growing)."""
    ratio = size_in / size_out
    width = math.ceil(ratio) + 2
    first = np.zeros(size_out, dtype=np.int64)
    weights = np.zeros((size_out, width))
    for j in range(size_out):
        if ratio >= 1.0:
            start = j * ratio
            stop = (j + 1) * ratio
            lo = math.floor(start)
            first[j] = lo
            for t in range(width):
                i = lo + t
                if i >= size_in:
                    break
                overlap = min(i + 1.0, stop) - max(float(i), start)
                if overlap > 0.0:
                    weights[j, t] = overlap / ratio
        else:
            x = (j + 0.5) * ratio - 0.5
            if x < 0.0:
                x = 0.0
            if x > size_in - 1.0:
                x = size_in - 1.0
            lo = math.floor(x)
            frac = x - lo
            first[j] = lo
            weights[j, 0] = 1.0 - frac
            if lo + 1 < size_in:
                weights[j, 1] = frac
    return first, weights


@njit(cache=True)
def resample(plane, height, width):  # type: ignore[no-untyped-def]
    """The plane at height x width: along rows first, then along columns."""
    rows_in, cols_in = plane.shape
    col_first, col_weights = _taps(cols_in, width)
    row_first, row_weights = _taps(rows_in, height)
    across = np.zeros((rows_in, width))
    for y in range(rows_in):
        for j in range(width):
            total = 0.0
            for t in range(col_weights.shape[1]):
                w = col_weights[j, t]
                if w != 0.0:
                    total += w * plane[y, col_first[j] + t]
            across[y, j] = total
    out = np.zeros((height, width))
    for i in range(height):
        for t in range(row_weights.shape[1]):
            w = row_weights[i, t]
            if w != 0.0:
                source = row_first[i] + t
                for j in range(width):
                    out[i, j] += w * across[source, j]
    return out


@njit(cache=True)
def halve(plane):  # type: ignore[no-untyped-def]
    """The next pyramid level: means of 2x2 blocks (an odd last row or column is dropped)."""
    height, width = plane.shape[0] // 2, plane.shape[1] // 2
    out = np.zeros((height, width))
    for y in range(height):
        for x in range(width):
            out[y, x] = 0.25 * (
                plane[2 * y, 2 * x]
                + plane[2 * y, 2 * x + 1]
                + plane[2 * y + 1, 2 * x]
                + plane[2 * y + 1, 2 * x + 1]
            )
    return out


@njit(cache=True)
def _kernel(sigma):  # type: ignore[no-untyped-def]
    radius = math.ceil(3.0 * sigma)
    kernel = np.zeros(2 * radius + 1)
    total = 0.0
    for i in range(-radius, radius + 1):
        value = math.exp(-(i * i) / (2.0 * sigma * sigma))
        kernel[i + radius] = value
        total += value
    for i in range(2 * radius + 1):
        kernel[i] /= total
    return kernel, radius


@njit(cache=True)
def blur(plane, sigma):  # type: ignore[no-untyped-def]
    """Separable Gaussian (edges replicated): along rows, then along columns."""
    kernel, radius = _kernel(sigma)
    height, width = plane.shape
    across = np.zeros((height, width))
    for y in range(height):
        for x in range(width):
            total = 0.0
            for t in range(-radius, radius + 1):
                i = min(max(x + t, 0), width - 1)
                total += kernel[t + radius] * plane[y, i]
            across[y, x] = total
    out = np.zeros((height, width))
    for y in range(height):
        for t in range(-radius, radius + 1):
            i = min(max(y + t, 0), height - 1)
            k = kernel[t + radius]
            for x in range(width):
                out[y, x] += k * across[i, x]
    return out


@njit(cache=True)
def hessian_response(blurred, sigma):  # type: ignore[no-untyped-def]
    """sigma^4 (Lxx Lyy - Lxy^2), zero on the outermost lines."""
    height, width = blurred.shape
    out = np.zeros((height, width))
    norm = sigma * sigma * sigma * sigma
    for y in range(1, height - 1):
        for x in range(1, width - 1):
            centre = blurred[y, x]
            lxx = blurred[y, x + 1] - 2.0 * centre + blurred[y, x - 1]
            lyy = blurred[y + 1, x] - 2.0 * centre + blurred[y - 1, x]
            lxy = 0.25 * (
                blurred[y + 1, x + 1]
                - blurred[y + 1, x - 1]
                - blurred[y - 1, x + 1]
                + blurred[y - 1, x - 1]
            )
            out[y, x] = norm * (lxx * lyy - lxy * lxy)
    return out


@njit(cache=True)
def _offset(before, centre, after):  # type: ignore[no-untyped-def]
    """The vertex of the parabola through three samples, clamped to half a step."""
    curvature = before - 2.0 * centre + after
    if curvature >= 0.0:
        return 0.0
    step = 0.5 * (before - after) / curvature
    return min(max(step, -0.5), 0.5)


@njit(cache=True)
def octave_extrema(base, octave):  # type: ignore[no-untyped-def]
    """(x, y, sigma, response) of every maximum in this octave, in working-plane pixels."""
    height, width = base.shape
    responses = np.zeros((LEVELS, height, width))
    sigmas = np.zeros(LEVELS)
    for level in range(LEVELS):
        sigma = BASE_SIGMA * 2.0 ** (level / 3.0)
        sigmas[level] = sigma
        responses[level] = hessian_response(blur(base, sigma), sigma)
    step = 2.0**octave
    found = []
    for level in range(1, LEVELS - 1):
        for y in range(2, height - 2):
            for x in range(2, width - 2):
                value = responses[level, y, x]
                if value < MIN_RESPONSE:
                    continue
                peak = True
                for dl in range(-1, 2):
                    for dy in range(-1, 2):
                        for dx in range(-1, 2):
                            if dl == 0 and dy == 0 and dx == 0:
                                continue
                            if responses[level + dl, y + dy, x + dx] >= value:
                                peak = False
                if not peak:
                    continue
                ox = _offset(responses[level, y, x - 1], value, responses[level, y, x + 1])
                oy = _offset(responses[level, y - 1, x], value, responses[level, y + 1, x])
                os = _offset(responses[level - 1, y, x], value, responses[level + 1, y, x])
                sigma = BASE_SIGMA * 2.0 ** ((level + os) / 3.0)
                found.append((x + ox + 0.5) * step - 0.5)
                found.append((y + oy + 0.5) * step - 0.5)
                found.append(sigma * step)
                found.append(value)
    return np.array(found, dtype=np.float64).reshape(-1, 4)


def pyramid(plane: FloatArray) -> list[FloatArray]:
    """The working plane and its halvings, down to MIN_OCTAVE_SIDE."""
    levels = [plane]
    while min(levels[-1].shape) // 2 >= MIN_OCTAVE_SIDE:
        levels.append(halve(levels[-1]))
    return levels


def working_size(height: int, width: int) -> tuple[int, int]:
    scale = WORK_SIDE / max(height, width)
    return max(1, int(height * scale + 0.5)), max(1, int(width * scale + 0.5))


def working_plane(luma: FloatArray) -> FloatArray:
    """The luma at WORK_SIDE pixels on its long side."""
    height, width = working_size(*luma.shape)
    out: FloatArray = resample(np.ascontiguousarray(luma, dtype=np.float64), height, width)
    return out


def detect(levels: list[FloatArray]) -> list[Keypoint]:
    """Every keypoint of the pyramid, strongest first (ties: top to bottom, left to right)."""
    if min(levels[0].shape) < MIN_WORK_SHORT_SIDE:
        return []
    found: list[tuple[float, float, float, float]] = []
    for octave in range(min(OCTAVES, len(levels))):
        found.extend(tuple(row) for row in octave_extrema(levels[octave], octave).tolist())
    found.sort(key=lambda k: (-k[3], k[1], k[0]))
    return [Keypoint(x, y, sigma, response) for x, y, sigma, response in found]
