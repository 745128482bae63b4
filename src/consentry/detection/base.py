"""The small interface every detector implements, and what it reports."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from PIL import Image


class Applicability(StrEnum):
    APPLICABLE = "applicable"
    NOT_APPLICABLE = "not_applicable"  # e.g. error level analysis of a never-JPEG image
    TIMED_OUT = "timed_out"  # past its time budget: no result rather than a late one
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Subject:
    """One file under inspection: its bytes, and the decoded image when it decodes."""

    data: bytes
    image: Image.Image | None
    format: str | None

    @property
    def megapixels(self) -> float:
        return 0.0 if self.image is None else self.image.width * self.image.height / 1e6


@dataclass(frozen=True, slots=True)
class Finding:
    detector: str
    version: str
    applicability: Applicability
    explanation: str
    verdict: str | None = None  # e.g. "trained_algorithmic_media", "valid", "invalid"
    score: float | None = None  # 0 (nothing found) .. 1 (strong trace), where meaningful
    details: dict[str, Any] = field(default_factory=dict)
    heatmap_png: bytes | None = None  # where the trace is, when the method localises

    def to_json(self, *, heatmap: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "detector": self.detector,
            "version": self.version,
            "applicability": self.applicability.value,
            "verdict": self.verdict,
            "score": None if self.score is None else round(self.score, 4),
            "explanation": self.explanation,
            "details": self.details,
        }
        if heatmap and self.heatmap_png is not None:
            out["heatmap_png"] = base64.b64encode(self.heatmap_png).decode()
        return out


class Detector(Protocol):
    name: str
    version: str
    applies_to: str  # plain words, e.g. "JPEG images"

    def inspect(self, subject: Subject, deadline: float) -> Finding:
        """Examine one file; give up cleanly (TIMED_OUT) once `time.monotonic()` passes
        `deadline`. Must not raise for any input."""
        ...


class BudgetExceeded(Exception):
    pass


def check_budget(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise BudgetExceeded()


def not_applicable(detector: Detector, why: str) -> Finding:
    return Finding(detector.name, detector.version, Applicability.NOT_APPLICABLE, why)
