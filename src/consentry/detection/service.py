"""Running every detector on one file, each within its time budget, none able to fail
the whole inspection. Nothing is stored."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from consentry.config import DEFAULT_MAX_PIXELS
from consentry.detection.base import (
    Applicability,
    Budget,
    BudgetExceeded,
    Detector,
    Finding,
    Subject,
)
from consentry.detection.forensics import CopyMove, ErrorLevel, JpegGhost, NoiseLevel
from consentry.detection.provenance import ContentCredentials, GeneratorMetadata
from consentry.hashing.decode import decode_upright
from consentry.hashing.errors import HashingError

SECONDS_PER_MEGAPIXEL = 2.0
# Detectors see at most this many pixels, whatever the file declares: a 100 MP image
# costs what a 4 MP one does (a 25 MP PNG used to take 82 s and 5 GB).
WORKING_PIXELS = 4_000_000


def provenance_detectors(anchors: Path | None = None) -> list[Detector]:
    """The cheap ones, that read what the file says of itself (C2PA against `anchors`,
    default the shipped list; generator metadata)."""
    return [ContentCredentials(anchors), GeneratorMetadata()]


def default_detectors(anchors: Path | None = None) -> list[Detector]:
    """Every detector: what the file says of itself, then the forensic traces."""
    return [*provenance_detectors(anchors), ErrorLevel(), NoiseLevel(), JpegGhost(), CopyMove()]


def _central(size: tuple[int, int], pixels: int) -> tuple[int, int, int, int]:
    """A central box of at most `pixels`, with the picture's proportions, on the 8-px grid."""
    width, height = size
    shrink = math.sqrt(pixels / (width * height))
    w = max(8, int(width * shrink) // 8 * 8)
    h = max(8, int(height * shrink) // 8 * 8)
    left = (width - w) // 2 // 8 * 8
    top = (height - h) // 2 // 8 * 8
    return left, top, left + w, top + h


def subject_of(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_pixels: int = WORKING_PIXELS,
    decode: bool = True,
) -> Subject:
    """The file, decoded (unless `decode` is false) and brought to the working size."""
    if not decode:
        return Subject(data=data, image=None, format=None)
    try:
        image, fmt = decode_upright(data, max_pixels=max_pixels)
    except HashingError:
        return Subject(data=data, image=None, format=None)
    if image.width * image.height <= working_pixels:
        return Subject(data=data, image=image, format=fmt)
    factor = math.ceil(math.sqrt(image.width * image.height / working_pixels))
    box = _central(image.size, working_pixels)
    reduced, grid, width = image.reduce(factor), image.crop(box), image.width
    del image  # the full decode goes now: only the working planes stay
    return Subject(
        data=data,
        image=reduced,
        format=fmt,
        scale=reduced.width / width,
        grid=grid,
        grid_box=box,
    )


def inspect(
    data: bytes,
    *,
    detectors: Sequence[Detector] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    seconds_per_megapixel: float = SECONDS_PER_MEGAPIXEL,
) -> list[Finding]:
    chosen = list(detectors or default_detectors())
    subject = subject_of(data, max_pixels=max_pixels, decode=any(d.pixels for d in chosen))
    # A floor: small images are enlarged by some detectors, and start-up costs the same.
    budget = seconds_per_megapixel * max(subject.megapixels, 0.5)
    findings = []
    for detector in chosen:
        try:
            finding = detector.inspect(subject, Budget.of(budget))
        except BudgetExceeded:
            finding = Finding(
                detector.name,
                detector.version,
                Applicability.TIMED_OUT,
                f"Stopped after its work budget ({budget:.1f} s of processor time).",
            )
        except Exception as error:
            finding = Finding(
                detector.name,
                detector.version,
                Applicability.FAILED,
                "The detector failed on this file.",
                details={"error": type(error).__name__},
            )
        findings.append(finding)
    return findings
