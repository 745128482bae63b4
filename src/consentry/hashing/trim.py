"""Finding the picture inside uniform borders (padding, letterboxing, frames).

A copy that was padded or letterboxed hashes far from the original; hashing
what lies inside the uniform border brings it back. Works on any luma plane,
full resolution or block means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Luma levels a border line may stray from its colour (JPEG noise in flat areas).
BORDER_TOLERANCE = 8.0
# Below this share of the image left inside, the "border" is the picture itself.
MIN_CONTENT_SHARE = 0.2
# JPEG rings next to the picture's edge, so the last few border lines are not uniform.
# Past the uniform run, within this share of the side, lines are still border while they
# look like ringing: close to the border colour on average (under PICTURE_DEVIATION) and
# nowhere far from it (within RINGING_SPAN). A picture's edge fails one or the other.
RINGING_REACH = 0.025
PICTURE_DEVIATION = BORDER_TOLERANCE
RINGING_SPAN = 4 * BORDER_TOLERANCE

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ContentBox:
    """Rows [top, bottom) and columns [left, right) of the plane that hold the picture."""

    top: int
    bottom: int
    left: int
    right: int

    def is_whole(self, shape: tuple[int, ...]) -> bool:
        return (self.top, self.left, self.bottom, self.right) == (0, 0, shape[0], shape[1])


def _leading_uniform(colour: float, highs: FloatArray, lows: FloatArray) -> int:
    """How many leading lines, given their maxima and minima, stay within tolerance of `colour`."""
    uniform = (highs <= colour + BORDER_TOLERANCE) & (lows >= colour - BORDER_TOLERANCE)
    return int(uniform.argmin()) if not uniform.all() else len(uniform)


def _border(colour: float, highs: FloatArray, lows: FloatArray, lines: FloatArray) -> int:
    """How many leading lines (rows of `lines`) are border: the uniform run, then any
    ringing up to the first line that is picture (when the run found a border at all)."""
    run = _leading_uniform(colour, highs, lows)
    if run == 0 or run == len(lines):
        return run
    reach = max(2, int(np.ceil(RINGING_REACH * len(lines))))
    deviation = np.abs(lines[run : run + reach] - colour)
    ringing = (deviation.mean(axis=1) < PICTURE_DEVIATION) & (deviation.max(axis=1) <= RINGING_SPAN)
    return run + (int(ringing.argmin()) if not ringing.all() else 0)


def content_box(plane: FloatArray) -> ContentBox:
    height, width = plane.shape
    whole = ContentBox(0, height, 0, width)
    # One pass for each extreme, then every side is a scan over 1-D arrays.
    row_high, row_low = plane.max(axis=1), plane.min(axis=1)
    col_high, col_low = plane.max(axis=0), plane.min(axis=0)
    columns = plane.T
    top = _border(float(np.median(plane[0])), row_high, row_low, plane)
    bottom = height - _border(
        float(np.median(plane[-1])), row_high[::-1], row_low[::-1], plane[::-1]
    )
    left = _border(float(np.median(plane[:, 0])), col_high, col_low, columns)
    right = width - _border(
        float(np.median(plane[:, -1])), col_high[::-1], col_low[::-1], columns[::-1]
    )
    if bottom - top < MIN_CONTENT_SHARE * height or right - left < MIN_CONTENT_SHARE * width:
        return whole
    return ContentBox(top, bottom, left, right)
