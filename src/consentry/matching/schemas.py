"""What a match says: which entry, how close, by which variant, and who may act on it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Tier(StrEnum):
    AUTO = "auto"  # may be actioned without a human
    REVIEW = "review"  # a human decides


@dataclass(frozen=True, slots=True)
class Match:
    bank: str
    entry_id: int
    signal_type: str
    value: str
    distance: int
    threshold: int
    variant: (
        str  # a PDQ variant ("original", "rot90", ..., "trimmed", "content"), "window", "exact"
    )
    tier: Tier
    group: int | None = None  # the bank image (entry group) the entry belongs to
    label: str | None = None  # that image's label, filled in by whoever shows the match
    windows: int = 0  # for a window match: distinct windows of the bank image matched
    # For a window match of an image: where the closest window lies in the queried image
    # (x, y, side in pixels, degrees, and the image's width and height).
    region: dict[str, float] | None = None
    # For a video match: `query_share` and `bank_share` (percent of each video's frames
    # matched) and `segments`, the matched time ranges ({"query": [s, e], "bank": [s, e]}).
    video: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "entry_id": self.entry_id,
            "signal_type": self.signal_type,
            "value": self.value,
            "distance": self.distance,
            "threshold": self.threshold,
            "variant": self.variant,
            "tier": self.tier.value,
            "group": self.group,
            "label": self.label,
            "windows": self.windows,
            "region": self.region,
            **_video_fields(self.video),
        }


def _video_fields(video: dict[str, Any] | None) -> dict[str, Any]:
    if video is None:
        return {}
    return {k: video[k] for k in ("query_share", "bank_share", "segments")}


@dataclass(frozen=True, slots=True)
class BankConfig:
    id: int
    name: str
    pdq_threshold: int
    auto_max_distance: int
    enabled: bool
    windows_auto: bool = False  # may a window match (of enough windows) be automatic?
    video_query_share: int = 80  # percent of a queried video's frames that must match
    video_bank_share: int = 80  # percent of the bank video's frames that must match
