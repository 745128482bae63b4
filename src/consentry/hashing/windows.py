"""Keypoint-pair-anchored PDQ windows: hashes that move with the picture.

A cropped, scaled or tilted copy keeps most of its strong blobs where the picture
put them. For every pair of the strongest keypoints, a square centred on the pair's
midpoint, as wide as the pair is apart and turned to the pair's angle, covers the
same content in the copy as in the original; its PDQ hash (of a 64x64 sample, which
is exactly the reference PDQ of that 64x64 image) therefore matches. Specified in
docs/keypoints.md; portal/static/windows.js does the same in the browser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from consentry.hashing.keypoints import Keypoint, detect, pyramid, working_plane, working_size
from consentry.hashing.pdq import MIN_RELIABLE_QUALITY, PdqHash
from consentry.hashing.pdq_core import hash_buffer64

FloatArray = npt.NDArray[np.float64]

# Keypoints kept (K). On the benchmark, free crops (60-90 % of each side) were found for
# 87 % at K = 12, 91 % at K = 16 with the same cap on windows.
STRONGEST = 16
MAX_WINDOWS = 48  # an image's windows at most: the form of 10 photos stays under 64 KB
MARGIN = 0.04  # share of the long side a keypoint keeps from every border
SEPARATION = 0.05  # share of the long side between two kept keypoints
MIN_PAIR = 0.15  # share of the short side a pair spans at least
SAMPLES = 64
# A pair within this angle of vertical may be ordered the other way in a tilted copy;
# the query side also looks such windows up turned half a turn.
AMBIGUOUS_DEGREES = 60.0


@dataclass(frozen=True, slots=True)
class Window:
    """One anchored window: centre, side and angle on the working plane, and its hash."""

    x: float
    y: float
    side: float
    angle: float  # radians, of the pair's direction
    pdq: PdqHash
    # Set for a pair within AMBIGUOUS_DEGREES of vertical: the window turned half a turn.
    turned: PdqHash | None = None


def select(keypoints: list[Keypoint], height: int, width: int) -> list[Keypoint]:
    """The STRONGEST keypoints clear of the borders and of each other (greedy, by strength)."""
    long_side = max(height, width)
    margin, separation = MARGIN * long_side, SEPARATION * long_side
    kept: list[Keypoint] = []
    for point in keypoints:
        if not (
            margin <= point.x <= width - 1 - margin and margin <= point.y <= height - 1 - margin
        ):
            continue
        if any(math.hypot(point.x - k.x, point.y - k.y) < separation for k in kept):
            continue
        kept.append(point)
        if len(kept) == STRONGEST:
            break
    return kept


@njit(cache=True)
def sample_window(level, cx, cy, ux, uy, side, scale):  # type: ignore[no-untyped-def]
    """The 64x64 bilinear sample of the square (centre, unit direction, side) given in
    working-plane pixels, read from a pyramid level `scale` times smaller."""
    height, width = level.shape
    out = np.zeros((SAMPLES, SAMPLES))
    vx, vy = -uy, ux
    for i in range(SAMPLES):
        b = ((i + 0.5) / SAMPLES - 0.5) * side
        for j in range(SAMPLES):
            a = ((j + 0.5) / SAMPLES - 0.5) * side
            x = (cx + a * ux + b * vx + 0.5) / scale - 0.5
            y = (cy + a * uy + b * vy + 0.5) / scale - 0.5
            x = min(max(x, 0.0), width - 1.0)
            y = min(max(y, 0.0), height - 1.0)
            x0 = math.floor(x)
            y0 = math.floor(y)
            x1 = min(x0 + 1, width - 1)
            y1 = min(y0 + 1, height - 1)
            fx = x - x0
            fy = y - y0
            top = level[y0, x0] * (1.0 - fx) + level[y0, x1] * fx
            bottom = level[y1, x0] * (1.0 - fx) + level[y1, x1] * fx
            out[i, j] = top * (1.0 - fy) + bottom * fy
    return out


def _inside(cx: float, cy: float, half: float, ux: float, uy: float, h: int, w: int) -> bool:
    for sa in (-1.0, 1.0):
        for sb in (-1.0, 1.0):
            x = cx + sa * half * ux - sb * half * uy
            y = cy + sa * half * uy + sb * half * ux
            if not (-0.5 <= x <= w - 0.5 and -0.5 <= y <= h - 0.5):
                return False
    return True


def windows_of_levels(levels: list[FloatArray]) -> list[Window]:
    """The usable windows of a working plane's pyramid, strongest pairs first."""
    height, width = levels[0].shape
    points = select(detect(levels), height, width)
    # Pairs of the strongest points first (they survive edits best): each point with every
    # stronger one, up to MAX_WINDOWS.
    found: list[Window] = []
    shortest = MIN_PAIR * min(height, width)
    for b in range(len(points)):
        for a in range(b):
            if len(found) == MAX_WINDOWS:
                return found
            # A pair is ordered left to right (then top to bottom): so are the window's axes.
            p, q = sorted((points[a], points[b]), key=lambda k: (k.x, k.y))
            side = math.hypot(q.x - p.x, q.y - p.y)
            if side < shortest:
                continue
            ux, uy = (q.x - p.x) / side, (q.y - p.y) / side
            cx, cy = 0.5 * (p.x + q.x), 0.5 * (p.y + q.y)
            if not _inside(cx, cy, 0.5 * side, ux, uy, height, width):
                continue
            level = min(len(levels) - 1, max(0, math.floor(math.log2(side / SAMPLES))))
            buffer = sample_window(levels[level], cx, cy, ux, uy, side, float(2**level))
            pdq = hash_buffer64(buffer)
            if pdq.quality is not None and pdq.quality < MIN_RELIABLE_QUALITY:
                continue
            angle = math.atan2(uy, ux)
            turned = None
            if abs(math.degrees(angle)) > AMBIGUOUS_DEGREES:
                turned = hash_buffer64(np.ascontiguousarray(buffer[::-1, ::-1]))
            found.append(Window(cx, cy, side, angle, pdq, turned))
    return found


def windows_of(luma: FloatArray) -> list[Window]:
    """The anchored windows of a luma plane (any resolution)."""
    return windows_of_levels(pyramid(working_plane(luma)))


@dataclass(frozen=True, slots=True)
class Region:
    """Where a window lies in an image: centre, side (pixels) and turn (degrees)."""

    x: float
    y: float
    side: float
    degrees: float

    def moved(self, *, scale: float, dx: float, dy: float) -> Region:
        """The region in a plane where this one's pixel centres sit at (p + 0.5) * scale
        - 0.5, shifted by (dx, dy)."""
        return Region(
            (self.x + 0.5) * scale - 0.5 + dx,
            (self.y + 0.5) * scale - 0.5 + dy,
            self.side * scale,
            self.degrees,
        )


def window_hashes(luma: FloatArray, *, query: bool) -> list[tuple[PdqHash, Region]]:
    """The windows' hashes, each once, with where it lies in `luma` (its pixels). A query
    also looks near-vertical pairs up turned half a turn (a tilted copy may order such a
    pair the other way)."""
    scale = luma.shape[1] / working_size(*luma.shape)[1]  # working-plane pixels to the luma's
    found: dict[PdqHash, Region] = {}
    for window in windows_of(luma):
        region = Region(window.x, window.y, window.side, math.degrees(window.angle))
        region = region.moved(scale=scale, dx=0.0, dy=0.0)
        found.setdefault(window.pdq, region)
        if query and window.turned is not None:
            found.setdefault(window.turned, region)
    return list(found.items())


def warm_up() -> None:
    """Compile the detector's kernels (numba) before the first upload needs them: seconds
    without their on-disk cache, milliseconds with it."""
    y, x = np.mgrid[0:240, 0:320].astype(np.float64)
    window_hashes(128.0 + 60.0 * np.sin(x / 9.0) * np.cos(y / 7.0), query=True)
