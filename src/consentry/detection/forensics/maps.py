"""What the block-based methods share: block averages, a robust outlier map
over the blocks that can carry the trace, one image score from it, and the heatmap."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
MIN_SIDE = 64  # below this there are too few blocks to tell a region from the rest
# A trace only counts as a region: the outlier map is averaged over 3 x 3 blocks first.
REGION_BLOCKS = 3
# Robust z of an averaged region at which the score reaches 1 - 1/e: a scale, not a verdict.
SCORE_SCALE = 8.0


def block_means(values: FloatArray, side: int) -> FloatArray:
    rows, cols = values.shape[0] // side, values.shape[1] // side
    trimmed = values[: rows * side, : cols * side]
    means: FloatArray = trimmed.reshape(rows, side, cols, side).mean(axis=(1, 3))
    return means


def exposed(luma: FloatArray, side: int) -> BoolArray:
    """Blocks neither clipped to black nor to white: clipping erases every trace."""
    means = block_means(luma, side)
    usable: BoolArray = (means > 8) & (means < 247)
    return usable


def outliers(values: FloatArray, usable: BoolArray, least_spread: float) -> FloatArray:
    """How far each block lies from the image's typical block, in robust standard
    deviations (median and MAD, so that the region being looked for does not hide
    itself by shifting the mean); blocks that cannot carry the trace count as typical.
    The spread is at least `least_spread`: in a picture where nearly every block is
    alike (an upscaled or very smooth one) the MAD collapses towards zero and any
    detail would otherwise read as a glaring outlier."""
    if usable.sum() < REGION_BLOCKS**2:
        return np.zeros_like(values)
    typical = float(np.median(values[usable]))
    spread = max(float(np.median(np.abs(values[usable] - typical))) * 1.4826, least_spread)
    result: FloatArray = np.where(usable, (values - typical) / spread, 0.0)
    return result


def region_score(deviation: FloatArray) -> float:
    """0..1 from the strongest region of the (positive) outlier map."""
    reach = REGION_BLOCKS // 2
    padded = np.pad(deviation, reach, mode="edge")
    rows, cols = deviation.shape
    windows = [
        padded[dy : dy + rows, dx : dx + cols]
        for dy in range(REGION_BLOCKS)
        for dx in range(REGION_BLOCKS)
    ]
    averaged = np.mean(windows, axis=0)
    return float(1 - np.exp(-max(float(averaged.max()), 0.0) / SCORE_SCALE))


def recompressed(luma: FloatArray, quality: int) -> FloatArray:
    buffer = io.BytesIO()
    plane = Image.fromarray(np.clip(luma, 0, 255).round().astype(np.uint8), "L")
    plane.save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer), dtype=np.float64)


def heatmap_png(values: FloatArray, size: tuple[int, int], side: int | None = None) -> bytes:
    """Grey levels scaled to the strongest value (negative values show as none), on a
    canvas of the image's size. With `side`, each value covers its block of the image
    (the partial blocks at the right and bottom edges were not measured and stay dark);
    without, the map is stretched over the whole image."""
    top = float(values.max()) if values.size and values.max() > 0 else 1.0
    scaled = Image.fromarray(np.clip(values / top * 255, 0, 255).astype(np.uint8), "L")
    covered = size if side is None else (values.shape[1] * side, values.shape[0] * side)
    image = Image.new("L", size, 0)
    image.paste(scaled.resize(covered, Image.Resampling.BILINEAR), (0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)  # heatmaps are transient; speed over size
    return buffer.getvalue()
