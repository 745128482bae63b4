"""A video match as a reviewer sees it: where in the upload and where in the reported
video the frames matched, drawn as two tracks on one time scale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _pair(values: Any) -> tuple[float, float]:
    start, end = values
    return float(start), float(end)


@dataclass(frozen=True, slots=True)
class Segment:
    """A matched time range, in seconds and as percent of the timeline's width."""

    query: tuple[float, float]
    bank: tuple[float, float]
    query_x: tuple[float, float]
    bank_x: tuple[float, float]


@dataclass(frozen=True, slots=True)
class VideoTimeline:
    """A video match drawn as two tracks, the upload's and the bank video's, on one scale
    (seconds from 0 to the latest matched time, plus a second)."""

    query_share: float
    bank_share: float
    span: float
    segments: list[Segment]

    @classmethod
    def of(cls, video: dict[str, Any]) -> VideoTimeline | None:
        try:
            ranges = [(_pair(s["query"]), _pair(s["bank"])) for s in video["segments"]]
            shares = float(video["query_share"]), float(video["bank_share"])
        except (KeyError, TypeError, ValueError, IndexError):
            return None
        span = max([1.0, *(max(q[1], b[1]) + 1 for q, b in ranges)])

        def x(pair: tuple[float, float]) -> tuple[float, float]:
            return round(100 * pair[0] / span, 2), round(
                100 * max(pair[1] + 1 - pair[0], 0.5) / span, 2
            )

        return cls(*shares, span, [Segment(q, b, x(q), x(b)) for q, b in ranges])

    def keyframe_times(self, limit: int = 6) -> list[float]:
        """Times in the upload to show frames of: each matched range's start, middle, end."""
        times: list[float] = []
        for segment in self.segments:
            start, end = segment.query
            times += [start, round((start + end) / 2), end]
        return sorted(dict.fromkeys(times))[:limit]
