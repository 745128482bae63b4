"""The picture inside an app's frame: caption bands, status bars, toolbars stripped.

A screenshot or meme puts bands around the picture that are mostly flat with
sparse marks (text, icons). From each edge, the band ends at the last full-width
step (at least STEP_SHARE of the line changing by more than STEP_LEVELS) that has
only such lines before it, no further than MAX_SHARE of the side in.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from consentry.hashing.trim import ContentBox

FloatArray = npt.NDArray[np.float64]

FLAT_LEVELS = 12.0  # a pixel this close to its line's median is part of the flat band
FLAT_SHARE = 0.70  # a band line has at least this share of such pixels
STEP_LEVELS = 24.0
STEP_SHARE = 0.50
MAX_SHARE = 0.70
# Below this share of the image left inside, the "bands" are the picture itself.
MIN_CONTENT_SHARE = 0.25


def _band(lines: FloatArray) -> int:
    """How many leading lines (rows of `lines`) are a band before a step into the picture."""
    limit = int(MAX_SHARE * len(lines))
    medians = np.median(lines[: limit + 1], axis=1)
    flat = (np.abs(lines[: limit + 1] - medians[:, None]) <= FLAT_LEVELS).mean(axis=1) >= FLAT_SHARE
    # Rows 0..k-1 all flat: the step may be at any k up to the first non-flat row.
    reach = int(flat.argmin()) if not flat.all() else len(flat)
    reach = min(reach, limit)
    if reach == 0:
        return 0
    steps = (np.abs(lines[1 : reach + 1] - lines[:reach]) > STEP_LEVELS).mean(axis=1) >= STEP_SHARE
    found = np.flatnonzero(steps)
    return int(found[-1]) + 1 if len(found) else 0


def content_area(plane: FloatArray) -> ContentBox:
    """Rows and columns of the plane that hold the picture (the whole plane if no band)."""
    height, width = plane.shape
    top = _band(plane)
    bottom = height - _band(plane[::-1])
    left = _band(plane.T)
    right = width - _band(plane.T[::-1])
    if bottom - top < MIN_CONTENT_SHARE * height or right - left < MIN_CONTENT_SHARE * width:
        return ContentBox(0, height, 0, width)
    return ContentBox(top, bottom, left, right)
