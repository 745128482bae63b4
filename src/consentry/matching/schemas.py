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
        str  # a PDQ variant ("original", "rot90", ..., "trimmed", "content"), "window", "exact",
        # "reference" (automatic on the reference hash: matching.reference)
    )
    tier: Tier
    group: int | None = None  # the bank image (entry group) the entry belongs to
    label: str | None = None  # that image's label, filled in by whoever shows the match
    windows: int = 0  # for a window match: distinct windows of the bank image matched
    # For a window match of an image: where the closest window lies in the queried image
    # (x, y, side in pixels, degrees, and the image's width and height).
    region: dict[str, float] | None = None
    # For a video match: the percent of the queried video's frames matched, and of the
    # bank video's (`windows` counts the latter), and the matched time ranges in seconds,
    # as {"query": [start, end], "bank": [start, end]}.
    query_share: float | None = None
    bank_share: float | None = None
    segments: list[dict[str, list[float]]] | None = None

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
            "query_share": self.query_share,
            "bank_share": self.bank_share,
            "segments": self.segments,
        }

    @property
    def video(self) -> dict[str, Any] | None:
        """A video match's shares and segments, as a scan record keeps them."""
        if self.segments is None:
            return None
        shares = {"query_share": self.query_share, "bank_share": self.bank_share}
        return {**shares, "segments": self.segments}


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
