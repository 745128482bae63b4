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
    """One file under inspection: its bytes, and the decoded picture when it decodes.

    `image` is the whole picture at most `WORKING_PIXELS` large (`scale` says how far it
    was reduced), so no detector's work grows with the file's pixel count. Detectors of
    JPEG-grid traces cannot use a reduced picture (resampling erases the grid): they
    read `grid`, a full-resolution region of the same size, at `grid_box` (left, top,
    right, bottom) in the upright original.
    """

    data: bytes
    image: Image.Image | None
    format: str | None
    scale: float = 1.0
    grid: Image.Image | None = None
    grid_box: tuple[int, int, int, int] | None = None

    @property
    def megapixels(self) -> float:
        return 0.0 if self.image is None else self.image.width * self.image.height / 1e6

    @property
    def grid_image(self) -> Image.Image | None:
        return self.grid if self.grid is not None else self.image

    def plane_details(self, *, grid: bool) -> dict[str, Any]:
        """What part of the picture a finding speaks for, when not all of it at full size."""
        if grid:
            return {"region": list(self.grid_box)} if self.grid_box is not None else {}
        return {"scale": round(self.scale, 4)} if self.scale < 1 else {}


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


# The wall-clock guard, as a multiple of the work budget: only a machine starved of CPU
# for that long makes a finding depend on what else runs.
WALL_GUARD = 5.0


@dataclass(frozen=True, slots=True)
class Budget:
    """The work a detector may do, in CPU seconds of its own thread, so that the same
    file gives the same finding on a busy machine as on an idle one; a wall-clock
    guard stops a detector that cannot get the CPU at all."""

    cpu_until: float
    wall_until: float

    @classmethod
    def of(cls, seconds: float) -> Budget:
        return cls(time.thread_time() + seconds, time.monotonic() + seconds * WALL_GUARD)

    @property
    def spent(self) -> bool:
        return time.thread_time() > self.cpu_until or time.monotonic() > self.wall_until


class Detector(Protocol):
    name: str
    version: str
    applies_to: str  # plain words, e.g. "JPEG images"
    pixels: bool  # whether it reads the decoded picture (else only the file's bytes)

    def inspect(self, subject: Subject, budget: Budget) -> Finding:
        """Examine one file; give up cleanly (TIMED_OUT) once `budget` is spent.
        Must not raise for any input."""
        ...


class BudgetExceeded(Exception):
    pass


def check_budget(budget: Budget) -> None:
    if budget.spent:
        raise BudgetExceeded()


def not_applicable(detector: Detector, why: str) -> Finding:
    return Finding(detector.name, detector.version, Applicability.NOT_APPLICABLE, why)
