"""Error level analysis (Krawetz 2007): save the JPEG again and see which parts change
by an unusual amount."""

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
    block_means,
    exposed,
    heatmap_png,
    outliers,
    recompressed,
    region_score,
)
from consentry.hashing.decode import luma_of


class ErrorLevel:
    """A JPEG saved again at a fixed quality changes little where its pixels already sit
    on that quality's grid of values, and more where a region arrived with a different
    compression history (pasted in, or edited after the last save)."""

    name, version, applies_to = "error_level", "1", "JPEG files"
    pixels = True
    # The published method resaves at a high quality (90-95), which on a file last saved
    # at 90 or above changes every region alike. 75, the common encoder default, is the
    # history most regions share, and a pasted region without it stands out.
    quality = 75
    side = 8  # one JPEG block
    least_spread = 0.1  # grey levels: below this, blocks differ by less than rounding does

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        picture = subject.grid_image
        if picture is None:
            return not_applicable(self, "Not an image this service can decode.")
        if subject.format != "JPEG":
            return not_applicable(
                self,
                f"This file is {subject.format}, not JPEG: error level analysis reads the"
                " compression of the file's own last JPEG save.",
            )
        if min(picture.size) < MIN_SIDE:
            return not_applicable(self, "Too small to compare regions.")
        luma = luma_of(picture)
        levels = block_means(np.abs(luma - recompressed(luma, self.quality)), self.side)
        check_budget(budget)
        deviation = np.clip(
            outliers(levels, exposed(luma, self.side), least_spread=self.least_spread), 0, None
        )
        return Finding(
            self.name,
            self.version,
            Applicability.APPLICABLE,
            "Bright areas of the heatmap changed more than the rest of the picture when it"
            " was saved again, which a pasted or retouched region can do. Sharp edges and"
            " fine texture also change more, so a bright region that is simply detailed"
            " means nothing; a smooth one that stands out is worth a look.",
            score=region_score(deviation),
            details={
                **subject.plane_details(grid=True),
                "resave_quality": self.quality,
                "typical_error_level": round(float(np.median(levels)), 3),
            },
            heatmap_png=heatmap_png(deviation, picture.size, self.side),
        )
