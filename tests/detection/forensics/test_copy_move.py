"""Copy-move detection on generated images with a known duplicated region."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from consentry.detection.base import Budget
from consentry.detection.forensics import CopyMove
from consentry.detection.service import subject_of
from tests.images import pattern, png


def _textured(seed: int) -> Image.Image:
    """A generated pattern with fine random texture, so that keypoints are plentiful."""
    rng = np.random.default_rng(seed)
    base = np.asarray(pattern(seed, 640, 480), dtype=np.float64)
    texture = rng.normal(0, 30, (480 // 4, 640 // 4, 3)).repeat(4, axis=0).repeat(4, axis=1)
    return Image.fromarray(np.clip(base + texture, 0, 255).astype(np.uint8))


def _heat(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)


def test_a_duplicated_region_is_found_and_located() -> None:
    image = _textured(1)
    pixels = np.asarray(image).copy()
    pixels[300:420, 380:520] = pixels[40:160, 60:200]  # copy, then move
    finding = CopyMove().inspect(subject_of(png(Image.fromarray(pixels))), Budget.of(60))
    assert finding.verdict == "duplicated_region"
    assert finding.score is not None
    assert finding.score > 0.5
    assert finding.heatmap_png is not None
    heat = _heat(finding.heatmap_png)
    assert heat[300:420, 380:520].mean() > 4 * heat[200:280, 0:120].mean() + 1


def test_an_untouched_image_has_no_duplicated_region() -> None:
    finding = CopyMove().inspect(subject_of(png(_textured(2))), Budget.of(60))
    assert finding.verdict == "none"
