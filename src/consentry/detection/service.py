"""Running every detector on one file, each within its time budget, none able to fail
the whole inspection. Nothing is stored."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from consentry.detection.base import Applicability, BudgetExceeded, Detector, Finding, Subject
from consentry.detection.forensics import CopyMove, ErrorLevel, JpegGhost, NoiseLevel
from consentry.detection.provenance import ContentCredentials, GeneratorMetadata
from consentry.hashing.decode import DEFAULT_MAX_PIXELS, decode_upright
from consentry.hashing.errors import HashingError

SECONDS_PER_MEGAPIXEL = 2.0


def provenance_detectors(anchors: Path | None = None) -> list[Detector]:
    """The cheap ones, that read what the file says of itself (C2PA against `anchors`,
    default the shipped list; generator metadata)."""
    return [ContentCredentials(anchors), GeneratorMetadata()]


def default_detectors(anchors: Path | None = None) -> list[Detector]:
    """Every detector: what the file says of itself, then the forensic traces."""
    return [*provenance_detectors(anchors), ErrorLevel(), NoiseLevel(), JpegGhost(), CopyMove()]


def subject_of(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Subject:
    try:
        image, fmt = decode_upright(data, max_pixels=max_pixels)
    except HashingError:
        return Subject(data=data, image=None, format=None)
    return Subject(data=data, image=image, format=fmt)


def inspect(
    data: bytes,
    *,
    detectors: Sequence[Detector] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    seconds_per_megapixel: float = SECONDS_PER_MEGAPIXEL,
) -> list[Finding]:
    subject = subject_of(data, max_pixels=max_pixels)
    # A floor: small images are enlarged by some detectors, and start-up costs the same.
    budget = seconds_per_megapixel * max(subject.megapixels, 0.5)
    findings = []
    for detector in detectors or default_detectors():
        started = time.monotonic()
        try:
            finding = detector.inspect(subject, started + budget)
        except BudgetExceeded:
            finding = Finding(
                detector.name,
                detector.version,
                Applicability.TIMED_OUT,
                f"Stopped after its time budget ({budget:.1f} s).",
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
