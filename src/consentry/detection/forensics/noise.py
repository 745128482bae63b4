"""Local noise level inconsistency (after Mahdian and Saic 2009): every camera and every
processing chain leaves its own level of fine-grained noise, so a region taken from
another photograph often carries a different one."""

from __future__ import annotations

import numpy as np

from consentry.detection.base import (
    Applicability,
    Budget,
    Finding,
    Subject,
    check_budget,
    not_applicable,
)
from consentry.detection.forensics.maps import (
    MIN_SIDE,
    FloatArray,
    exposed,
    heatmap_png,
    outliers,
    region_score,
)
from consentry.hashing.decode import luma_of

# The median absolute diagonal wavelet coefficient over 0.6745 estimates the standard
# deviation of Gaussian noise (Donoho and Johnstone 1994), robustly against edges.
MAD_TO_SIGMA = 0.6745


def noise_levels(luma: FloatArray, side: int) -> FloatArray:
    """Estimated noise standard deviation of each `side`-pixel block, from the finest
    diagonal (HH) Haar wavelet band."""
    rows, cols = luma.shape[0] // side, luma.shape[1] // side
    plane = luma[: rows * side, : cols * side]
    diagonal = (plane[0::2, 0::2] - plane[0::2, 1::2] - plane[1::2, 0::2] + plane[1::2, 1::2]) / 2
    half = side // 2
    per_block = (
        np.abs(diagonal)
        .reshape(rows, half, cols, half)
        .transpose(0, 2, 1, 3)
        .reshape(rows, cols, -1)
    )
    levels: FloatArray = np.median(per_block, axis=2) / MAD_TO_SIGMA
    return levels


class NoiseLevel:
    name, version, applies_to = "noise_level", "1", "images (any format)"
    pixels = True
    side = 16
    least_spread = 0.25  # log noise: a quarter more or less noise is ordinary variation

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        if subject.image is None:
            return not_applicable(self, "Not an image this service can decode.")
        if min(subject.image.size) < MIN_SIDE:
            return not_applicable(self, "Too small to compare regions.")
        luma = luma_of(subject.image)
        levels = noise_levels(luma, self.side)
        check_budget(budget)
        # Compared on a log scale: a region with half the noise is as odd as one with double.
        deviation = np.abs(
            outliers(np.log(levels + 0.5), exposed(luma, self.side), least_spread=self.least_spread)
        )
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            "Bright areas of the heatmap have more or less fine grain (noise) than the rest"
            " of the picture, which a region from another photograph often has. Smooth"
            " surfaces, focus blur and dense texture change the estimate too, and noise"
            " is easily smoothed away, so this is a weak hint either way.",
            score=region_score(deviation),
            details={
                **subject.plane_details(grid=False),
                "typical_noise_sigma": round(float(np.median(levels)), 3),
            },
            heatmap_png=heatmap_png(deviation, subject.image.size, self.side),
        )
