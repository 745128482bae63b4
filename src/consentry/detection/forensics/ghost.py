"""JPEG ghosts (Farid 2009): a region once saved as a lower-quality JPEG changes
unusually little when saved again at that quality on its own 8-pixel grid, wherever the
grid now lies. Found by saving again at each of the 64 grid offsets."""

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
    block_means,
    exposed,
    heatmap_png,
    outliers,
    recompressed,
    region_score,
)
from consentry.hashing.decode import luma_of

# Formats whose own lossy coding (or palette) overwrites any earlier JPEG history.
OWN_LOSSY_CODING = {"GIF", "WEBP", "HEIF", "AVIF"}
# Blocks that barely change at any offset are flat, not ghosts: mean squared change below
# this (2 grey levels) carries no evidence.
MIN_CHANGE = 4.0


class JpegGhost:
    name, version, applies_to = "jpeg_ghost", "1", "JPEG files and lossless images"
    pixels = True
    # Images saved from the web sit around quality 50-80; one probe in the middle keeps
    # the 64 saves within the time budget (Farid scans qualities; we measured one is
    # nearly as good on our set at a sixth of the cost).
    quality = 65
    side = 16
    least_spread = 0.02  # of the fit ratio: natural photos spread 0.03-0.08

    def changes(self, luma: FloatArray, budget: Budget) -> FloatArray:
        """Mean squared change of each block when saved again, at each grid offset."""
        per_offset = []
        for dy in range(8):
            for dx in range(8):
                check_budget(budget)
                part = luma[dy:, dx:]
                change = np.pad(
                    (part - recompressed(part, self.quality)) ** 2, ((dy, 0), (dx, 0)), mode="edge"
                )
                per_offset.append(block_means(change, self.side))
        return np.stack(per_offset)

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        picture = subject.grid_image
        if picture is None:
            return not_applicable(self, "Not an image this service can decode.")
        if subject.format in OWN_LOSSY_CODING:
            return not_applicable(
                self, f"{subject.format} coding replaces any earlier JPEG compression traces."
            )
        if min(picture.size) < MIN_SIDE:
            return not_applicable(self, "Too small to compare regions.")
        luma = luma_of(picture)
        changes = self.changes(luma, budget)
        typical = changes.mean(axis=0)
        # How much better the best-fitting grid is than an average one: near 0 where the
        # block once went through this quality on that grid, near 1 where it never did.
        fit = changes.min(axis=0) / (typical + 1e-9)
        usable = exposed(luma, self.side) & (typical > MIN_CHANGE)
        deviation = np.clip(-outliers(fit, usable, least_spread=self.least_spread), 0, None)
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            "Bright areas of the heatmap behave as if they were once saved as a"
            f" lower-quality JPEG (about quality {self.quality}) and the rest of the picture"
            " was not, as when a region is pasted in from a picture saved from the web. A"
            " whole picture saved at low quality shows nothing, and a later low-quality"
            " save (most platforms recompress uploads) erases the trace.",
            score=region_score(deviation),
            details={**subject.plane_details(grid=True), "probe_quality": self.quality},
            heatmap_png=heatmap_png(deviation, picture.size, self.side),
        )
