"""Generated photographs with a known edited region, for the forensic detectors."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

from consentry.detection.base import Budget, Detector, Finding
from consentry.detection.service import subject_of
from tests.images import pattern

# The edited region of every generated forgery here: a block away from the borders.
REGION = (slice(160, 320), slice(240, 432))
ELSEWHERE = (slice(20, 120), slice(20, 200))


def photo(seed: int, grain: float = 3.0) -> Image.Image:
    """A generated pattern with sensor-like grain, as a photograph has."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(pattern(seed), dtype=np.float64) * 0.8 + 25
    return Image.fromarray(
        np.clip(pixels + rng.normal(0, grain, pixels.shape), 0, 255).astype(np.uint8)
    )


def resaved(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def pasted(host: Image.Image, donor: Image.Image, shift: tuple[int, int] = (3, 5)) -> Image.Image:
    """`host` with REGION replaced by `donor`'s pixels, taken `shift` pixels off its grid."""
    pixels = np.asarray(host).copy()
    rows, cols = REGION
    dy, dx = shift
    source = np.asarray(donor)
    pixels[rows, cols] = source[rows.start + dy : rows.stop + dy, cols.start + dx : cols.stop + dx]
    return Image.fromarray(pixels)


def inspected(detector: Detector, data: bytes) -> Finding:
    return detector.inspect(subject_of(data), Budget.of(60))


def heat(finding: Finding) -> npt.NDArray[np.float64]:
    assert finding.heatmap_png is not None
    return np.asarray(Image.open(io.BytesIO(finding.heatmap_png)).convert("L"), dtype=np.float64)


def located(finding: Finding) -> bool:
    """The heatmap is clearly brighter on the edited region than on an untouched one."""
    values = heat(finding)
    return bool(values[REGION].mean() > 2 * values[ELSEWHERE].mean() + 5)


def margin(edited: Finding, untouched: Finding) -> float:
    """How much higher the edited picture scores than the same picture untouched."""
    assert edited.score is not None
    assert untouched.score is not None
    return edited.score - untouched.score
